"""Hostile names, links and JSON records: every input accounted for, nothing written outside --out."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from cleaner.write import safe_relpath

from .conftest import accounted
from .hostile import STORIES, files_under, run


def _no_file_outside(tmp_path: Path, out: Path, before: set[Path]) -> None:
    new = files_under(tmp_path) - before
    assert new, "the run wrote nothing"
    outside = [p for p in new if out not in p.parents]
    assert outside == []


def test_jsonl_with_invalid_lines_wrong_types_and_hostile_ids(tmp_path):
    lines = [
        json.dumps({"id": "../../x", "text": STORIES["library"]}),
        json.dumps({"id": "/etc/passwd", "text": STORIES["bridge"]}),
        json.dumps({"id": "..\\..\\win", "html": f"<p>{STORIES['harvest']}</p>"}),
        json.dumps({"id": {"a": 1}, "text": STORIES["museum"], "title": {"no": "dict"}, "url": ["x"]}),
        "",  # blank lines are not inputs
        '{"id": "broken", "text": "unterminated',
        "not json at all",
        json.dumps([1, 2, 3]),
        json.dumps("a string"),
        json.dumps({"id": "none"}),
        json.dumps({"id": "int-text", "text": 42}),
        json.dumps({"id": "list-html", "html": ["<p>x</p>"]}),
        json.dumps({"id": "empty", "text": "   "}),
        json.dumps({"id": "null-text", "text": None, "html": None}),
        '{"id": "lone", "text": "Lone surrogate \\ud800 here. ' + STORIES["library"].replace("council", "board") + '"}',
        "[" * 100_000 + "]" * 100_000,
    ]
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    before = files_under(tmp_path)
    res = run([inp], out, "--workers", "1", "--no-dedup")
    assert res.exit_code == 0, res.stderr
    sources = {f"records.jsonl#{i}" for i, line in enumerate(lines, 1) if line.strip()}
    assert set(accounted(sources, out).values()) == {1}
    assert set(res.articles) == {f"records.jsonl#{i}" for i in (1, 2, 3, 4, 15)}
    # ids are data: kept as given, never used as a path
    assert res.articles["records.jsonl#1"]["id"] == "../../x"
    assert res.articles["records.jsonl#2"]["id"] == "/etc/passwd"
    assert res.articles["records.jsonl#4"]["title"] is None
    assert "\ufffd" in res.articles["records.jsonl#15"]["text"]
    why = res.rejected
    assert why["records.jsonl#6"].startswith("malformed JSON line")
    assert why["records.jsonl#7"].startswith("malformed JSON line")
    assert why["records.jsonl#8"] == "JSON record is a list, expected an object with 'text' or 'html'"
    assert why["records.jsonl#9"].startswith("JSON record is a str")
    assert why["records.jsonl#10"] == "JSON record has neither 'text' nor 'html'"
    assert why["records.jsonl#11"] == "JSON record's 'text' is a int, expected a string"
    assert why["records.jsonl#12"] == "JSON record's 'html' is a list, expected a string"
    assert why["records.jsonl#13"] == "JSON record's text is empty"
    assert why["records.jsonl#14"] == "JSON record has neither 'text' nor 'html'"
    assert why["records.jsonl#16"] == "malformed JSON line: nested too deeply"
    for source in why:
        assert f"rejected {source}: " in res.stderr
    _no_file_outside(tmp_path, out, before)
    # text files are named after the source, never after the id
    assert sorted(p.relative_to(out / "text").as_posix() for p in files_under(out / "text")) == [
        f"records.jsonl/{i}.txt" for i in sorted((1, 2, 3, 4, 15), key=str)
    ]
    (out / "articles.jsonl").read_bytes().decode("utf-8")  # valid UTF-8 despite the lone surrogate


def test_json_file_nested_too_deeply(tmp_path):
    (tmp_path / "deep.json").write_text("[" * 200_000 + "]" * 200_000)
    res = run([tmp_path], tmp_path / "out", "--workers", "1")
    assert res.exit_code == 0
    assert res.reason("deep.json") == "malformed JSON: nested too deeply"


def test_stdin_with_bytes_that_are_not_utf8(tmp_path):
    data = (
        json.dumps({"id": "a", "text": STORIES["library"]}).encode()
        + b"\n{\"id\": \"b\", \"text\": \"caf\xe9 \xff "
        + STORIES["bridge"].encode()
        + b"\"}\n"
    )
    res = run(["-"], tmp_path / "out", "--workers", "1", "--no-dedup", stdin=data)
    assert res.exit_code == 0, res.stderr
    assert set(res.articles) == {"stdin#1", "stdin#2"}
    assert "caf\ufffd" in res.articles["stdin#2"]["text"]


def test_broken_links_link_loops_and_links_to_folders(tmp_path):
    inp = tmp_path / "in"
    (inp / "sub").mkdir(parents=True)
    (inp / "sub" / "story.txt").write_text(STORIES["library"])
    os.symlink("missing.txt", inp / "broken.txt")
    os.symlink("loop-b.txt", inp / "loop-a.txt")
    os.symlink("loop-a.txt", inp / "loop-b.txt")
    os.symlink("self.html", inp / "self.html")
    os.symlink(".", inp / "sub" / "again")  # a folder loop
    os.symlink(inp / "sub", inp / "linked")
    os.symlink(inp / "sub" / "story.txt", inp / "alias.txt")  # a link to a file is read
    res = run([inp], tmp_path / "out", "--workers", "1", "--no-dedup")
    assert res.exit_code == 0
    assert set(res.articles) == {"sub/story.txt", "alias.txt"}
    assert res.reason("broken.txt") == "broken symbolic link: its target does not exist"
    for loop in ("loop-a.txt", "loop-b.txt", "self.html"):
        assert res.reason(loop) == "symbolic link loop: the link never reaches a file"
    assert res.reason("sub/again") == "symbolic link to a folder: not followed"
    assert res.reason("linked") == "symbolic link to a folder: not followed"
    # a loop given on the command line
    res = run([inp / "loop-a.txt"], tmp_path / "out2", "--workers", "1")
    assert list(res.rejected.values()) == ["symbolic link loop: the link never reaches a file"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_named_txt_does_not_block_the_run(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "ok.txt").write_text(STORIES["museum"])
    res = run([tmp_path], tmp_path / "out", "--workers", "1")
    assert res.reason("pipe.txt") == "not a regular file (a pipe, socket or device)"
    assert "ok.txt" in res.articles


def test_an_unreadable_folder_is_reported(tmp_path, monkeypatch):
    inp = tmp_path / "in"
    (inp / "locked").mkdir(parents=True)
    (inp / "locked" / "a.txt").write_text(STORIES["bridge"])
    (inp / "ok.txt").write_text(STORIES["museum"])
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    res = run([inp], tmp_path / "out", "--workers", "1")
    assert res.exit_code == 0
    assert res.reason("locked") == "unreadable folder: Permission denied; its files were not read"
    assert "ok.txt" in res.articles


@pytest.mark.skipif(sys.platform != "linux", reason="names of arbitrary bytes need a Linux file system")
def test_file_names_with_newlines_and_bytes_that_are_not_utf8(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    names = {b"new\nline.txt": "library", b"caf\xe9-latin1.txt": "bridge", b"\xff\xfe.html": "harvest",
             "日本語のニュース記事のタイトルがとても長い".encode() * 3 + b"x" * 50 + b".txt": "museum"}
    for name, story in names.items():
        with open(os.path.join(os.fsencode(inp), name), "w") as fh:
            fh.write(STORIES[story])
    (inp / "empty\nfile.txt").write_bytes(b"")
    out = tmp_path / "out"
    res = run([inp], out, "--workers", "2")
    assert res.exit_code == 0, res.stderr
    assert res.reason("empty\nfile.txt") == "empty file"
    raw = (out / "articles.jsonl").read_bytes().decode("utf-8")  # valid UTF-8
    assert len(raw.splitlines()) == 4
    assert "new\nline.txt" in res.articles and "caf\\xe9-latin1.txt" in res.articles
    assert "\\xff\\xfe.html" in res.articles
    assert "rejected empty\\nfile.txt: empty file" in res.stderr  # one line per warning
    assert all(line.startswith("cleaner: ") for line in res.stderr.splitlines())
    texts = files_under(out / "text")
    assert len(texts) == 4
    assert all(len(os.fsencode(p.name)) <= 255 for p in texts)


def test_inputs_given_by_absolute_and_parent_paths_stay_inside_out(tmp_path, monkeypatch):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    (tmp_path / "up.txt").write_text(STORIES["library"])
    (tmp_path / "abs.txt").write_text(STORIES["bridge"])
    monkeypatch.chdir(work)
    out = work / "out"
    before = files_under(tmp_path)
    res = run(["../../up.txt", str(tmp_path / "abs.txt")], out, "--workers", "1")
    assert res.exit_code == 0
    assert set(res.articles) == {"../../up.txt", f"{tmp_path}/abs.txt"}
    _no_file_outside(tmp_path, out, before)


def test_a_link_planted_in_the_output_folder_is_not_followed_out(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "out"
    (out / "text").mkdir(parents=True)
    os.symlink(elsewhere, out / "text" / "sub")
    inp = tmp_path / "in"
    (inp / "sub").mkdir(parents=True)
    (inp / "sub" / "story.txt").write_text(STORIES["harvest"])
    res = run([inp], out, "--workers", "1")
    assert res.exit_code == 0
    assert list(elsewhere.iterdir()) == []
    assert "sub/story.txt" in res.articles


def test_names_that_reduce_to_a_file_where_a_folder_is_needed(tmp_path):
    inp = tmp_path / "in"
    (inp / "a?b.txt").mkdir(parents=True)
    (inp / "a?b.txt" / "x.txt").write_text(STORIES["library"])
    (inp / "a_b.txt").write_text(STORIES["bridge"])
    res = run([inp], tmp_path / "out", "--workers", "1")
    assert res.exit_code == 0
    assert len(res.articles) == 2 and len(files_under(tmp_path / "out" / "text")) == 2


@pytest.mark.parametrize(
    "source", ["../../x", "/etc/passwd", "..\\..\\x", "a/../../b.txt", "#", "..", "C:\\Windows\\x.txt",
               "a\x00b.txt", "x" * 400 + ".txt", "é" * 300]
)
def test_safe_relpath_never_leaves_its_folder(source):
    rel = safe_relpath(source)
    assert not rel.is_absolute()
    assert ".." not in rel.parts
    assert all(len(part.encode()) <= 255 and "\x00" not in part for part in rel.parts)
    assert rel.suffix == ".txt"


def test_an_output_folder_inside_the_input_folder_is_not_read_back(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    (inp / "a.txt").write_text(STORIES["library"])
    (inp / "b.txt").write_text(STORIES["bridge"])
    for _ in range(2):  # the second run sees the first run's output inside its input
        res = run([inp], inp / "clean", "--workers", "1")
        assert res.exit_code == 0
        assert set(res.articles) == {"a.txt", "b.txt"} and res.rejected == {}
        assert "2 read" in res.stderr


def test_out_that_is_a_file_is_a_usage_error(tmp_path):
    (tmp_path / "story.txt").write_text(STORIES["library"])
    (tmp_path / "taken").write_text("not a folder")
    res = run([tmp_path / "story.txt"], tmp_path / "taken", "--workers", "1")
    assert res.exit_code == 2
    assert "--out" in res.stderr


def test_same_relative_path_in_two_inputs_keeps_sources_and_ids_apart(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "x.txt").write_text(STORIES["library"], "utf-8")
    (tmp_path / "b" / "x.txt").write_text(STORIES["bridge"], "utf-8")
    a, b = tmp_path / "a", tmp_path / "b"
    res = run([a, b], tmp_path / "out", "--no-dedup")
    assert res.exit_code == 0
    qualified = f"{b.as_posix()}/x.txt"
    assert set(res.articles) == {"x.txt", qualified}
    assert res.articles["x.txt"]["text"] == STORIES["library"]
    assert res.articles[qualified]["text"] == STORIES["bridge"]
    assert res.articles["x.txt"]["id"] != res.articles[qualified]["id"]


def test_a_file_reached_through_two_inputs_is_read_once(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.txt").write_text(STORIES["library"], "utf-8")
    a = tmp_path / "a"
    res = run([a, a, a / "x.txt"], tmp_path / "out", "--no-dedup")
    assert res.exit_code == 0
    assert list(res.articles) == ["x.txt"] and res.rejected == {}
