"""docs/scale.md: its dask.bag recipe, run with Dask's local schedulers, and the local engine.

The distributed engine (``--dask``) is tested against a real cluster in test_dask_engine.py.
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

import zhconvert
from _paths import EXAMPLES, REPO
from zhconvert._cli import run as cli_run


def to_text(path: str) -> tuple[str, str | None, str]:
    """The recipe's worker function (kept in step with docs/scale.md)."""
    try:
        return path, None, zhconvert.dumps(zhconvert.load(path), "text")
    except zhconvert.ZhconvertError as exc:
        return path, str(exc), ""


def test_the_recipe_is_the_documented_one() -> None:
    doc = (REPO / "docs" / "scale.md").read_text(encoding="utf-8")
    assert 'return path, None, zhconvert.dumps(zhconvert.load(path), "text")' in doc
    assert "db.from_sequence(paths, partition_size=200).map(to_text).compute()" in doc


@pytest.mark.parametrize("scheduler", ["processes", "threads", "sync"])
def test_dask_bag_converts_a_folder_like_the_api(tmp_path: Path, scheduler: str) -> None:
    db = pytest.importorskip("dask.bag", reason="Dask is the optional extra zhconvert[dask]")
    archive = tmp_path / "archive"
    archive.mkdir()
    for post in EXAMPLES.glob("*.md"):
        shutil.copy(post, archive / post.name)
    (archive / "broken.md").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    paths = sorted(str(p) for p in archive.glob("*.md"))
    results = db.from_sequence(paths, partition_size=2).map(to_text).compute(scheduler=scheduler)

    failed = [(path, error) for path, error, _ in results if error]
    assert [Path(p).name for p, _ in failed] == ["broken.md"]
    assert "not a text file" in failed[0][1]
    for path, error, text in results:
        if error is None:
            assert text == zhconvert.dumps(zhconvert.load(path), "text")


def test_api_functions_and_documents_pickle() -> None:
    doc = zhconvert.load(next(EXAMPLES.glob("*.md")))
    assert pickle.loads(pickle.dumps(zhconvert.loads)) is zhconvert.loads
    assert pickle.loads(pickle.dumps(zhconvert.dumps)) is zhconvert.dumps
    assert pickle.loads(pickle.dumps(doc)) == doc
    error = zhconvert.NotTextError("not a text file", path="x.md")
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == "x.md: not a text file"


# ---------------------------------------------------------------------------------------------
# zhconvert.convert_folder: the command line's code, from Python


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    (folder / "sub").mkdir(parents=True)
    for number, post in enumerate(sorted(EXAMPLES.glob("*.md"))):
        shutil.copy(post, (folder / "sub" if number % 2 else folder) / post.name)
    (folder / "broken.md").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    return folder


def files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize("jobs", [1, 2])
def test_convert_folder_does_what_the_command_line_does(
    archive: Path, tmp_path: Path, jobs: int, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli_run(["convert", str(archive), "-o", str(tmp_path / "cli"), "--jobs", "1"])
    err = capsys.readouterr().err
    report = zhconvert.convert_folder(archive, tmp_path / "api", "md", jobs=jobs)

    assert files(tmp_path / "api") == files(tmp_path / "cli")
    assert code == 1 and not report.ok
    assert report.converted == len(report.posts) - 1 == len(list(EXAMPLES.glob("*.md")))
    assert [p.error for p in report.failed] == [f"{archive / 'broken.md'}: not a text file"]
    assert f"Error: {report.failed[0].error}" in err.splitlines()
    cli_summary = report.summary().replace(str(tmp_path / "api"), str(tmp_path / "cli"))
    assert cli_summary in err.splitlines()
    for post in report.posts:
        if post.error is None:
            assert Path(post.target).is_file()


def test_convert_folder_takes_writer_and_text_options(archive: Path, tmp_path: Path) -> None:
    report = zhconvert.convert_folder(archive, tmp_path / "out", "text", jobs=1, wrap=20)
    post = next(p for p in report.posts if p.error is None)
    expected = zhconvert.dumps(zhconvert.load(post.source), "text", wrap=20)
    assert Path(post.target).read_text("utf-8") == expected
    assert Path(post.target).suffix == ".txt"
    with pytest.raises(zhconvert.OptionError, match="does not take option"):
        zhconvert.convert_folder(archive, tmp_path / "bad", "text", wrap=20, indent=2)
    assert not (tmp_path / "bad").exists()


def test_convert_folder_excludes_and_shows_progress(
    archive: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    report = zhconvert.convert_folder(
        archive, tmp_path / "out", jobs=2, exclude=["broken.md"], progress=True
    )
    assert report.ok
    total = len(list(EXAMPLES.glob("*.md")))
    err = capsys.readouterr().err
    assert err.startswith("\rposts converted")
    assert err.endswith(f"] {total}/{total}\n")


def test_convert_folder_raises_for_the_whole_run(tmp_path: Path) -> None:
    with pytest.raises(zhconvert.ZhconvertError, match="no such file"):
        zhconvert.convert_folder(tmp_path / "nothing", tmp_path / "out")
    with pytest.raises(zhconvert.OptionError, match="jobs"):
        zhconvert.convert_folder(tmp_path, tmp_path / "out", jobs=0)
