"""``convert --dask ADDRESS`` and ``convert_folder(dask=...)`` on a real Dask cluster.

One ``distributed.LocalCluster`` of three worker processes over loopback TCP serves the module
(it takes a few seconds to start). Without ``distributed`` the cluster tests are skipped with
the reason; in CI they fail instead. Every wait is bounded.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import zhconvert
import zhconvert._dask as dask_engine
from _paths import in_ci, python_env
from zhconvert._cli import run as cli_run

HAVE_DISTRIBUTED = importlib.util.find_spec("distributed") is not None
TESTS = Path(__file__).resolve().parent
MISSING = "dask.distributed is not installed (pip install 'zhconvert[dask]')"
#: Big posts of the worker-killing test: one task each on three workers.
POSTS = 9
BAD = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A scheduler and three single-threaded worker processes on 127.0.0.1; its address."""
    if not HAVE_DISTRIBUTED:
        if in_ci():
            pytest.fail(f"CI must test the Dask engine: {MISSING}", pytrace=False)
        pytest.skip(MISSING)
    import dask
    from distributed import LocalCluster

    # A task whose worker dies twice is given up (KilledWorker): Dask's default is after four.
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        local = LocalCluster(
            n_workers=3,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            scheduler_port=0,
            dashboard_address=None,
            # The workers import this module to run KillOn.
            env={"PYTHONPATH": os.pathsep.join([str(TESTS), python_env()["PYTHONPATH"]])},
        )
    try:
        yield local.scheduler_address
    finally:
        local.close(timeout=30)


def cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    capsys.readouterr()
    code = cli_run([str(a) for a in args])
    return code, capsys.readouterr().err


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.fixture
def archive(tmp_path: Path, corpus_posts: list[Path]) -> Path:
    """Thirty real posts in two sub-folders, two that map to one output name, and a bad file."""
    folder = tmp_path / "archive"
    for number, post in enumerate(corpus_posts[:30]):
        target = folder / ("a" if number % 2 else "b") / post.name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(post.read_bytes())
    (folder / "same.md").write_bytes(corpus_posts[0].read_bytes())
    (folder / "same.markdown").write_bytes(corpus_posts[1].read_bytes())
    (folder / "broken.md").write_bytes(BAD)
    return folder


def test_a_dask_run_writes_and_says_what_a_local_run_does(
    cluster: str, archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    local, remote = tmp_path / "local", tmp_path / "remote"
    local_code, local_err = cli(capsys, "convert", archive, "-o", local, "--jobs", "1")
    remote_code, remote_err = cli(capsys, "convert", archive, "-o", remote, "--dask", cluster)

    assert remote_code == local_code == 1  # the bad file
    # The same warnings, error lines and summary, in order.
    assert remote_err == local_err.replace(f"into {local}", f"into {remote}")
    assert f"Error: {archive / 'broken.md'}: not a text file" in remote_err.splitlines()
    assert "converted 32 of 33 posts" in remote_err
    written = files(remote)
    assert written == files(local)  # byte for byte, same names (same-2.md too)
    assert "same.md" in written and "same-2.md" in written
    assert not any(name.startswith(".") for name in written)  # no temporary file left


def test_convert_folder_runs_on_the_cluster_too(
    cluster: str, archive: Path, tmp_path: Path
) -> None:
    local = zhconvert.convert_folder(archive, tmp_path / "local", "text", jobs=1, wrap=60)
    remote = zhconvert.convert_folder(archive, tmp_path / "remote", "text", dask=cluster, wrap=60)
    assert [(p.source, p.error, p.warnings) for p in remote.posts] == [
        (p.source, p.error, p.warnings) for p in local.posts
    ]
    assert not remote.ok
    assert [p.source for p in remote.failed] == [str(archive / "broken.md")]
    assert remote.summary() == local.summary().replace(str(local.out), str(remote.out))
    assert files(tmp_path / "remote") == files(tmp_path / "local")


def test_the_dask_run_shows_a_progress_bar(
    cluster: str, archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    zhconvert.convert_folder(archive, tmp_path / "out", dask=cluster, progress=True)
    err = capsys.readouterr().err
    assert err.startswith("\rposts converted")
    assert err.endswith("] 33/33\n")


def test_workers_that_cannot_see_the_files_are_named(
    cluster: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a.md").write_text("---\ntitle: a\n---\n<p>a</p>\n", "utf-8")
    (tmp_path / "posts" / "b.md").write_text("---\ntitle: b\n---\n<p>b</p>\n", "utf-8")
    # As if the workers ran on another machine: they look for the files elsewhere.
    monkeypatch.setattr(dask_engine, "_sees", lambda path: False)
    with pytest.raises(zhconvert.ZhconvertError, match="same paths"):
        zhconvert.convert_folder(tmp_path / "posts", tmp_path / "out", dask=cluster)
    assert not (tmp_path / "out").exists()


def big_post(number: int) -> str:
    """A post that takes a few tenths of a second to convert: long enough to kill its worker."""
    body = "".join(
        f'<p>第{number}篇第{i}段 <b>粗体</b> and <a href="https://example.com/{i}">链接</a>。</p>\n'
        for i in range(500)
    )
    return f"---\ntitle: 第{number}篇\ndate: 2021-01-0{1 + number % 9}\n---\n{body}"


@pytest.mark.slow
def test_a_worker_killed_mid_run_costs_nothing(cluster: str, tmp_path: Path) -> None:
    from distributed import Client

    folder = tmp_path / "posts"
    folder.mkdir()
    for number in range(POSTS):
        (folder / f"{number:02d}.md").write_text(big_post(number), encoding="utf-8")
    out = tmp_path / "out"
    with Client(cluster, timeout=30, set_as_default=False) as client:
        pids = client.run(os.getpid)
        process = subprocess.Popen(
            [sys.executable, "-m", "zhconvert", "convert", folder, "-o", out, "--dask", cluster],
            env=python_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            victim = None
            deadline = time.monotonic() + 60
            while victim is None:
                assert process.poll() is None, "the run ended before a worker could be killed"
                assert time.monotonic() < deadline, "no worker ever converted a post"
                busy = {
                    worker: keys
                    for worker, keys in client.processing().items()
                    if any(str(key).startswith("zhconvert-") for key in keys)
                }
                victim = next(iter(busy), None)
                time.sleep(0.02)
            os.kill(pids[victim], signal.SIGKILL)  # as the OOM killer does
            _, err = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert process.returncode == 0, err.decode()
    assert f"converted {POSTS} of {POSTS} posts" in err.decode()
    for number in range(POSTS):
        expected = zhconvert.dumps(zhconvert.loads(big_post(number)), "markdown")
        assert (out / f"{number:02d}.md").read_text("utf-8") == expected
    assert sorted(p.name for p in out.iterdir()) == [f"{n:02d}.md" for n in range(POSTS)]


if HAVE_DISTRIBUTED:
    from distributed.diagnostics.plugin import WorkerPlugin
else:
    WorkerPlugin = object


class KillOn(WorkerPlugin):  # type: ignore[misc,valid-type]
    """A worker plugin: the worker converting the post named ``name`` dies (SIGKILL), each time."""

    name = "zhconvert-test-kill-on"

    def __init__(self, post: str) -> None:
        self.post = post

    def setup(self, worker: object) -> None:
        from zhconvert._commands import convert

        real = convert.convert_one
        post = self.post

        def convert_or_die(job: convert._Job) -> object:
            if Path(job.source).name == post:
                os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer does
            return real(job)

        self.real = real
        convert.convert_one = convert_or_die  # type: ignore[assignment]

    def teardown(self, worker: object) -> None:
        from zhconvert._commands import convert

        convert.convert_one = self.real


@pytest.mark.slow
def test_a_post_that_kills_its_worker_every_time_costs_only_itself(
    cluster: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from distributed import Client

    folder = tmp_path / "posts"
    folder.mkdir()
    for number in range(100):  # chunks of 4 posts on three workers
        (folder / f"{number:02d}.md").write_text(f"---\ntitle: {number}\n---\n<p>{number}</p>\n")
    with Client(cluster, timeout=30, set_as_default=False) as client:
        client.register_plugin(KillOn("07.md"))
        try:
            code, err = cli(capsys, "convert", folder, "-o", tmp_path / "out", "--dask", cluster)
        finally:
            client.unregister_worker_plugin(KillOn.name)  # the workers' converter as it was
    errors = [line for line in err.splitlines() if line.startswith("Error:")]
    assert errors == [f"Error: {folder / '07.md'}: {dask_engine.WORKER_DIED}"]
    assert code == 1
    assert "converted 99 of 100 posts" in err
    # The posts of its chunk were converted again, one by one (and perhaps others: a worker
    # that dies is blamed for every task it held).
    again = ": converted again, alone: a worker process died (killed, or out of memory)"
    retried = {line for line in err.splitlines() if line.endswith(again)}
    assert {f"Warning: {folder / f'{n:02d}.md'}{again}" for n in (4, 5, 6)} <= retried
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == [f"{n:02d}.md" for n in range(100) if n != 7]


# ---------------------------------------------------------------------------------------------
# Without a cluster


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.skipif(not HAVE_DISTRIBUTED, reason=MISSING)
def test_an_unreachable_scheduler_is_one_error_line_in_bounded_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a.md").write_text("---\ntitle: a\n---\n<p>a</p>\n", "utf-8")
    monkeypatch.setattr(dask_engine, "CONNECT_TIMEOUT", 1.0)
    address = f"tcp://127.0.0.1:{closed_port()}"
    start = time.monotonic()
    code, err = cli(
        capsys, "convert", tmp_path / "posts", "-o", tmp_path / "out", "--dask", address
    )
    assert time.monotonic() - start < 20
    assert code == 1
    assert err.startswith(f"Error: cannot reach the Dask scheduler at {address} within 1 s")
    assert len(err.splitlines()) == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not HAVE_DISTRIBUTED, reason=MISSING)
@pytest.mark.parametrize("address", ["nonsense", "tcp://host-without-port", "foo://127.0.0.1:1"])
def test_a_bad_address_is_one_error_line(
    address: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: a\n---\n<p>a</p>\n", "utf-8")
    code, err = cli(capsys, "convert", tmp_path / "a.md", "-o", tmp_path / "out", "--dask", address)
    assert code == 1
    assert err.startswith(f"Error: not a Dask scheduler address: {address} (")
    assert len(err.splitlines()) == 1


def test_without_distributed_the_fix_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: a\n---\n<p>a</p>\n", "utf-8")
    monkeypatch.setitem(sys.modules, "distributed", None)  # what an import finds uninstalled
    code, err = cli(capsys, "convert", tmp_path, "-o", tmp_path / "out", "--dask", "tcp://x:1")
    assert code == 2
    assert err == 'Error: --dask needs dask.distributed: pip install "zhconvert[dask]"\n'
    assert not (tmp_path / "out").exists()
    with pytest.raises(zhconvert.ZhconvertError, match=r'pip install "zhconvert\[dask\]"'):
        zhconvert.convert_folder(tmp_path, tmp_path / "out", dask="tcp://x:1")


def test_dask_refuses_standard_input_and_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a.md").write_text("---\ntitle: a\n---\n<p>a</p>\n", "utf-8")
    if not HAVE_DISTRIBUTED:
        pytest.skip(MISSING)
    code, err = cli(capsys, "convert", tmp_path / "a.md", "--dask", "tcp://127.0.0.1:1")
    assert code == 2
    assert err == "Error: --dask converts files into files: name them, and give -o\n"
