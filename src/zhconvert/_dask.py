"""The distributed engine: a folder's posts converted on a Dask cluster (``convert --dask``).

The client (this process) plans the work as a local run does, then sends the jobs in chunks to
the cluster's workers. Each worker reads its posts and writes their outputs itself (atomically,
as a local run does), and returns only small results: ``(source, error, warnings, ...)``. So the
workers need zhconvert installed and the files at the same paths as here (shared storage).

A worker that dies (killed, out of memory) costs nothing: the scheduler runs its chunks again
elsewhere. A chunk that kills a worker every time it runs (Dask gives up with ``KilledWorker``
after ``distributed.scheduler.allowed-failures`` deaths) is split into one task per post, so
that only the post that kills its worker is lost, and reported by name.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .errors import ZhconvertError

if TYPE_CHECKING:
    from ._commands.convert import _Job, _Result

__all__ = ["CONNECT_TIMEOUT", "MISSING", "WORKER_DIED", "run_on_cluster"]

#: Seconds to wait for the scheduler before giving up (an address that nobody answers).
CONNECT_TIMEOUT = 10.0
#: The one-line error when ``dask.distributed`` is not installed.
MISSING = '--dask needs dask.distributed: pip install "zhconvert[dask]"'
#: Why a post is reported when the workers converting it alone died each time.
WORKER_DIED = "its Dask worker died each time it converted it (killed, or out of memory)"


class DaskMissingError(ZhconvertError):
    """``dask.distributed`` is not installed (the CLI checks before any work, and exits 2)."""


def connect(address: str, timeout: float | None = None) -> Any:
    """Return a ``distributed.Client`` connected to the scheduler at ``address``."""
    try:
        from distributed import Client
        from distributed.comm.addressing import parse_address, parse_host_port
        from distributed.comm.registry import get_backend
    except ImportError:
        raise DaskMissingError(MISSING) from None
    try:
        # Checked first: a Client made with a bad address fails only as it is collected.
        scheme, location = parse_address(address)
        get_backend(scheme)
        parse_host_port(location)
    except ValueError as exc:
        raise ZhconvertError(f"not a Dask scheduler address: {address} ({exc})") from None
    wait = CONNECT_TIMEOUT if timeout is None else timeout
    try:
        # set_as_default=False: a library call must not change the user's default scheduler.
        return Client(address, timeout=wait, set_as_default=False)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ZhconvertError(
            f"cannot reach the Dask scheduler at {address} within {wait:g} s ({reason})"
        ) from None
    except ValueError as exc:  # an unknown protocol
        raise ZhconvertError(f"not a Dask scheduler address: {address} ({exc})") from None


def convert_chunk(jobs: Sequence[_Job]) -> list[_Result]:
    """Convert ``jobs`` on a worker; run by the cluster, never raises for a post."""
    from ._commands import convert

    # A long-lived worker may have made a folder in an earlier run that is gone since.
    convert._MADE_FOLDERS.clear()
    return [convert.convert_one(job) for job in jobs]


def _sees(path: str) -> bool:
    return os.path.exists(path)


def run_on_cluster(
    jobs: Sequence[_Job],
    address: str,
    *,
    advance: Callable[[int], None] | None = None,
    timeout: float | None = None,
) -> list[_Result]:
    """Convert ``jobs`` on the Dask cluster at ``address``; return the results in their order.

    ``advance(n)`` is called as each ``n`` posts are done (for a progress bar).
    """
    import uuid

    from ._commands.convert import WORKER_RETRIED

    # The workers' working folder is not ours: they are given absolute paths, and what they
    # say about a post is said again with the name it has here.
    remote = [
        replace(
            job,
            source=os.path.abspath(job.source),
            target=None if job.target is None else os.path.abspath(job.target),
        )
        for job in jobs
    ]
    client = connect(address, timeout)
    futures: list[Any] = []
    try:
        from concurrent.futures import CancelledError

        from distributed import as_completed
        from distributed.scheduler import KilledWorker

        try:
            client.wait_for_workers(1, timeout=timeout or CONNECT_TIMEOUT)
        except TimeoutError:
            raise ZhconvertError(
                f"the Dask scheduler at {address} has no workers (waited "
                f"{timeout or CONNECT_TIMEOUT:g} s)"
            ) from None
        if remote and not client.submit(_sees, remote[0].source, pure=False).result():
            raise ZhconvertError(
                f"the Dask workers at {address} do not see {jobs[0].source} (as "
                f"{remote[0].source}): they need the files at the same paths (shared storage)"
            )
        workers = max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})))
        # Many chunks per worker keep them all busy to the end; a chunk of some tens of posts
        # (a post takes a few milliseconds) pays for the round trip to the scheduler.
        size = max(1, min(64, len(remote) // (workers * 8)))
        starts = range(0, len(remote), size)
        chunks = {start: remote[start : start + size] for start in starts}
        results: list[_Result | None] = [None] * len(jobs)
        suspects: list[int] = []
        # Keys name this run's tasks alone: another client's run is other tasks.
        run = uuid.uuid4().hex[:16]
        futures = [
            client.submit(convert_chunk, chunk, pure=False, key=f"zhconvert-{run}-{start}")
            for start, chunk in chunks.items()
        ]
        first = {future.key: start for future, start in zip(futures, chunks, strict=True)}
        for future in as_completed(futures, loop=client.loop):  # type: ignore[no-untyped-call]
            start = first[future.key]
            try:
                done = future.result()
            except (KilledWorker, CancelledError):
                # Its workers died, or the scheduler dropped it (a worker lost with its
                # result, say): its posts are tried again one by one.
                suspects.extend(range(start, start + len(chunks[start])))
                continue
            except Exception as exc:  # convert_chunk never raises: the cluster itself failed
                raise _cluster_error(address, exc) from None
            results[start : start + len(done)] = done
            if advance is not None:
                advance(len(done))
        # Each post of a chunk that killed its workers, alone, and one at a time: a worker that
        # dies takes the blame for every task it holds, even those waiting for their turn.
        # Only a post that kills its worker every time is lost.
        for index in suspects:
            key = f"zhconvert-{run}-alone-{index}"
            future = client.submit(convert_chunk, [remote[index]], pure=False, key=key)
            futures.append(future)
            try:
                (result,) = future.result()
            except KilledWorker:
                result = (
                    remote[index].source,
                    f"{remote[index].source}: {WORKER_DIED}",
                    (),
                    0,
                    None,
                )
            except Exception as exc:
                raise _cluster_error(address, exc) from None
            else:
                result = (
                    *result[:2],
                    (*result[2], f"{remote[index].source}: {WORKER_RETRIED}"),
                    *result[3:],
                )
            results[index] = result
            if advance is not None:
                advance(1)
    except ZhconvertError:
        raise
    except (OSError, TimeoutError) as exc:  # CommClosedError is an OSError
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ZhconvertError(f"lost the Dask scheduler at {address} ({reason})") from None
    finally:
        # Ctrl-C, or an error: no task left behind on the cluster. Tidying up a connection
        # that is gone must not hide what happened.
        with contextlib.suppress(Exception):
            if futures:
                client.cancel(futures)
            client.close()
    return [
        _local_names(job, there, result)
        for job, there, result in zip(jobs, remote, results, strict=True)
        if result is not None
    ]


def _cluster_error(address: str, exc: BaseException) -> ZhconvertError:
    reason = str(exc).splitlines()[0] if str(exc) else ""
    return ZhconvertError(
        f"the Dask cluster at {address} could not run zhconvert ({type(exc).__name__}"
        + (f": {reason}" if reason else "")
        + "): the workers need zhconvert installed"
    )


def _local_names(job: _Job, remote: _Job, result: _Result) -> Any:
    """Return ``result`` with the post named as ``job`` names it, not by its absolute path."""
    if job.source == remote.source:
        return result

    def here(message: str) -> str:
        if message.startswith(remote.source + ":"):
            return job.source + message[len(remote.source) :]
        return message

    _, problem, warnings, *rest = result
    return (
        job.source,
        None if problem is None else here(problem),
        tuple(here(w) for w in warnings),
        *rest,
    )
