"""The text-file writer checks each folder once: what was in the output folder before the run (folders,
links to files, folders and out of it, link loops) is still checked name by name."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cleaner.write import Deferred, write_article_text, write_text_file


def _write(out: Path, sources: list[str]) -> list[str]:
    deferred = Deferred()
    used: set[str] = set()
    for i, source in enumerate(sources):
        write_article_text(out, source, str(i), None, f"body {i}", used, deferred)
    deferred.publish(out)
    return sorted(used)


def _files(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text()
        for p in folder.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


@pytest.fixture
def out(tmp_path: Path) -> Path:
    (tmp_path / "out" / "text" / "sub").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    return tmp_path / "out"


def test_a_folder_there_before_the_run_is_not_overwritten(out: Path):
    (out / "text" / "sub" / "a.txt").mkdir()
    used = _write(out, ["sub/a.txt", "sub/b.txt"])
    assert "sub/b.txt" in used and "sub/a.txt" not in used  # the first took the flat name
    assert (out / "text" / "sub" / "a.txt").is_dir()
    assert sorted(_files(out / "text").values()) == ["body 0\n", "body 1\n"]


def test_a_link_to_a_file_out_of_the_output_folder_is_not_followed(out: Path):
    outside = out.parent / "elsewhere" / "victim.txt"
    outside.write_text("keep me\n")
    os.symlink(outside, out / "text" / "sub" / "a.txt")
    used = _write(out, ["sub/a.txt", "sub/b.txt"])
    assert outside.read_text() == "keep me\n"
    assert list((out.parent / "elsewhere").iterdir()) == [outside]
    assert "sub/a.txt" not in used and len(used) == 2


def test_a_link_to_a_folder_out_of_the_output_folder_is_not_followed(out: Path):
    os.symlink(out.parent / "elsewhere", out / "text" / "sub" / "deeper")
    used = _write(out, ["sub/deeper/a.txt", "sub/deeper/more/b.txt", "sub/c.txt"])
    assert list((out.parent / "elsewhere").iterdir()) == []
    assert "sub/c.txt" in used and len(used) == 3 and len(_files(out / "text")) == 3


def test_a_link_inside_the_output_folder_is_followed(out: Path):
    (out / "kept").mkdir()
    (out / "kept" / "a.txt").write_text("old\n")
    os.symlink(out / "kept" / "a.txt", out / "text" / "sub" / "a.txt")
    assert _write(out, ["sub/a.txt"]) == ["sub/a.txt"]
    assert (out / "kept" / "a.txt").read_text() == "body 0\n"
    assert (out / "text" / "sub" / "a.txt").is_symlink()


def test_a_link_loop_takes_the_flat_name(out: Path):
    os.symlink("a.txt", out / "text" / "sub" / "a.txt")
    used = _write(out, ["sub/a.txt"])
    assert len(used) == 1 and used[0].startswith("_")
    assert (out / "text" / "sub" / "a.txt").is_symlink()


def test_write_text_file_refuses_a_folder_out_of_within(out: Path):
    os.symlink(out.parent / "elsewhere", out / "text" / "away")
    with pytest.raises(ValueError, match="refusing to write outside"):
        write_text_file(out / "text", "away/x.txt", "x", within=out)
    assert list((out.parent / "elsewhere").iterdir()) == []
    final = write_text_file(out / "text", "sub/x.txt", "x", within=out)  # written and renamed at once
    assert Path(final).read_text() == "x\n" and Path(final) == (out / "text" / "sub" / "x.txt").resolve()
    assert not list(out.rglob(".*.tmp"))
