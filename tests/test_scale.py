"""The Dask recipe of docs/scale.md, run with Dask's local schedulers on a small folder."""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

import zhconvert
from _paths import EXAMPLES, REPO

db = pytest.importorskip("dask.bag", reason="Dask is the optional extra zhconvert[dask]")


def convert_one(job: tuple[str, str]) -> tuple[str, str | None]:
    """The recipe's worker function (kept in step with docs/scale.md)."""
    path, out_dir = job
    try:
        doc = zhconvert.load(path)
        zhconvert.dump(doc, Path(out_dir) / (Path(path).stem + ".md"), "markdown")
    except zhconvert.ZhconvertError as exc:
        return path, str(exc)
    return path, None


def test_the_recipe_is_the_documented_one() -> None:
    doc = (REPO / "docs" / "scale.md").read_text(encoding="utf-8")
    assert 'bag.map(convert_one).compute(scheduler="processes")' in doc
    assert 'zhconvert.dump(doc, Path(out_dir) / (Path(path).stem + ".md"), "markdown")' in doc


@pytest.mark.parametrize("scheduler", ["processes", "threads", "sync"])
def test_dask_bag_converts_a_folder_like_the_cli(tmp_path: Path, scheduler: str) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    for post in EXAMPLES.glob("*.md"):
        shutil.copy(post, archive / post.name)
    (archive / "broken.md").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    out = tmp_path / "clean"
    out.mkdir()
    paths = sorted(str(p) for p in archive.glob("*.md"))
    bag = db.from_sequence([(p, str(out)) for p in paths], partition_size=2)
    results = bag.map(convert_one).compute(scheduler=scheduler)

    failed = [(path, error) for path, error in results if error]
    assert [Path(p).name for p, _ in failed] == ["broken.md"]
    assert "not a text file" in failed[0][1]
    for post in EXAMPLES.glob("*.md"):
        expected = zhconvert.dumps(zhconvert.load(post), "markdown")
        assert (out / post.name).read_text(encoding="utf-8") == expected


def test_api_functions_and_documents_pickle() -> None:
    doc = zhconvert.load(next(EXAMPLES.glob("*.md")))
    assert pickle.loads(pickle.dumps(zhconvert.loads)) is zhconvert.loads
    assert pickle.loads(pickle.dumps(zhconvert.dumps)) is zhconvert.dumps
    assert pickle.loads(pickle.dumps(doc)) == doc
    error = zhconvert.NotTextError("not a text file", path="x.md")
    again = pickle.loads(pickle.dumps(error))
    assert str(again) == "x.md: not a text file"
