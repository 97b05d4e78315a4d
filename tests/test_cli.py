"""The command line end to end (click's CliRunner): options, stdin/stdout, explain, accounting."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from cleaner.config import Config

from .conftest import SEEDS, accounted, read_jsonl

STORY = SEEDS / "003_5ed64bf2762e4c0a.txt"


def _folder_with_copies(tmp_path: Path) -> Path:
    """The seeds plus a syndicated copy of 003 under other chrome, and a truncated teaser of 001."""
    inp = tmp_path / "in"
    (inp / "sub").mkdir(parents=True)
    for f in SEEDS.glob("*.txt"):
        shutil.copy(f, inp / f.name)
    body = STORY.read_text().split("\n")[10:41]
    (inp / "sub" / "copy.txt").write_text(
        "Home | World | Business\nSubscribe\nShare this article\n"
        + "\n".join(body)
        + "\nAll rights reserved.\n"
    )
    paras = (SEEDS / "001_c0fa23bc847765f8.txt").read_text().split("\n")
    (inp / "teaser.txt").write_text("\n".join(paras[:5]) + "\nRead more\n")
    return inp


def test_copies_are_grouped_under_the_most_complete_one(tmp_path, run_cli):
    inp, out = _folder_with_copies(tmp_path), tmp_path / "out"
    res = run_cli("run", inp, "--out", out, "--workers", "1")
    assert res.exit_code == 0, res.output
    arts = {a["source"]: a for a in read_jsonl(out / "articles.jsonl")}
    assert len(arts) == 5
    assert arts["003_5ed64bf2762e4c0a.txt"]["duplicates"] == ["sub/copy.txt"]
    assert arts["001_c0fa23bc847765f8.txt"]["duplicates"] == ["teaser.txt"]
    detail = arts["001_c0fa23bc847765f8.txt"]["duplicate_details"][0]
    assert detail["containment"] > 0.9 > detail["jaccard"]
    assert "canonical_reason" in arts["001_c0fa23bc847765f8.txt"]["metadata"]
    inputs = {str(p.relative_to(inp)) for p in inp.rglob("*") if p.is_file()}
    assert set(accounted(inputs, out).values()) == {1}
    assert "2 duplicates" in res.stderr


def test_no_dedup_emits_one_article_per_input(tmp_path, run_cli):
    inp, out = _folder_with_copies(tmp_path), tmp_path / "out"
    assert run_cli("run", inp, "--out", out, "--no-dedup", "--workers", "1").exit_code == 0
    assert len(read_jsonl(out / "articles.jsonl")) == 7


def _articles_with_workers(run_cli, inp: Path, tmp_path: Path) -> list[str]:
    """articles.jsonl of the same input with --workers 1 and 2."""
    outs = []
    for workers in ("1", "2"):
        out = tmp_path / f"out{workers}"
        assert run_cli("run", inp, "--out", out, "--workers", workers).exit_code == 0
        outs.append((out / "articles.jsonl").read_text())
    return outs


def test_output_is_independent_of_workers(tmp_path, run_cli):
    outs = _articles_with_workers(run_cli, _folder_with_copies(tmp_path), tmp_path)
    assert outs[0] == outs[1]


def test_ids_are_stable_across_runs(tmp_path, run_cli):
    ids = []
    for n in (1, 2):
        out = tmp_path / f"o{n}"
        run_cli("run", SEEDS, "--out", out, "--workers", "1")
        ids.append([a["id"] for a in read_jsonl(out / "articles.jsonl")])
    assert ids[0] == ids[1] and len(set(ids[0])) == 5


def test_jsonl_on_stdin_to_stdout(run_cli):
    records = [
        {"id": "a1", "text": STORY.read_text(), "url": "https://www.euronews.com/x"},
        {"id": "a2", "text": "Sign in\nSubscribe"},
    ]
    stdin = "\n".join(json.dumps(r) for r in records) + "\nnot json\n"
    res = run_cli("run", "-", "--out", "-", "--workers", "1", input=stdin)
    assert res.exit_code == 0
    lines = [json.loads(x) for x in res.stdout.splitlines()]
    assert [a["id"] for a in lines] == ["a1"]
    assert lines[0]["source"] == "stdin#1"
    assert lines[0]["metadata"]["url"] == "https://www.euronews.com/x"
    assert "rejected stdin#2: not an article: only boilerplate (2 paywall)" in res.stderr
    assert "rejected stdin#3: malformed JSON line" in res.stderr


def test_lang_filter_rejects_other_languages_with_the_reason(tmp_path, run_cli):
    inp = tmp_path / "in"
    inp.mkdir()
    shutil.copy(STORY, inp / "en.txt")
    (inp / "de.txt").write_text(
        "Der Bundestag hat am Donnerstag nach langer Debatte ein neues Gesetz zur Förderung der "
        "erneuerbaren Energien beschlossen. Die Opposition kritisierte, dass die Mittel für die "
        "Kommunen nicht ausreichen würden und die Bürger zu wenig beteiligt worden seien.\n"
    )
    out = tmp_path / "out"
    assert run_cli("run", inp, "--out", out, "--lang", "en", "--workers", "1").exit_code == 0
    assert [a["source"] for a in read_jsonl(out / "articles.jsonl")] == ["en.txt"]
    assert read_jsonl(out / "rejected.jsonl")[0]["reason"] == "language de not in --lang en"


def test_usage_errors_exit_2(tmp_path, run_cli):
    assert run_cli("run", SEEDS).exit_code == 2  # no --out
    assert run_cli("run", SEEDS, "--out", tmp_path, "--threshold", "3").exit_code == 2
    bad = tmp_path / "c.toml"
    bad.write_text("treshold = 0.5\n")
    res = run_cli("run", SEEDS, "--out", tmp_path / "o", "--config", bad)
    assert res.exit_code == 2 and "unknown setting(s) treshold" in res.output


@pytest.mark.parametrize(
    ("setting", "why"),
    [
        ("threshold = 2", "threshold must be from 0.05 to 1, got 2"),
        ("num_perm = 0", "num_perm must be from 16 to 4096, got 0"),
        ('workers = "2"', "workers must be a whole number, got '2'"),
        ("doc_timeout = nan", "doc_timeout must be from 0 to 86400, got nan"),
        ("dedup = 1", "dedup must be true or false, got 1"),
        ('langs = ["english"]', "unknown language code(s) english: use ISO 639-1 codes"),
        ('langs = "en"', "langs must be a list of language codes, got 'en'"),
    ],
)
def test_a_bad_value_in_the_config_file_is_a_usage_error_naming_file_and_setting(tmp_path, run_cli, setting, why):
    bad = tmp_path / "c.toml"
    bad.write_text(setting + "\n")
    res = run_cli("run", SEEDS, "--out", tmp_path / "o", "--config", bad)
    assert res.exit_code == 2
    assert f"{bad}: {why}" in " ".join(res.output.split())  # click wraps long messages
    assert not (tmp_path / "o").exists()


def test_an_unknown_lang_code_is_a_usage_error_not_a_run_that_rejects_everything(tmp_path, run_cli):
    res = run_cli("run", SEEDS, "--out", tmp_path / "o", "--lang", "en,english")
    assert res.exit_code == 2 and "unknown language code(s) english" in res.output
    assert not (tmp_path / "o").exists()


def test_settings_are_checked_and_normalised_however_a_config_is_made():
    config = Config(threshold=1, langs=["EN", " zh", "de", "en"])
    assert config.threshold == 1.0 and isinstance(config.threshold, float)
    assert config.langs == ("de", "en", "zh")
    with pytest.raises(ValueError, match="min_words must be at least 0, got -1"):
        Config().replace(min_words=-1)
    with pytest.raises(ValueError, match="workers must be a whole number, got True"):
        Config(workers=True)


@pytest.mark.parametrize("cron", [False, True], ids=["one-shot", "cron"])
def test_out_that_is_a_file_is_a_usage_error_that_says_so(tmp_path, run_cli, cron):
    out = tmp_path / "out"
    out.write_text("not a folder")
    state = ("--state", tmp_path / "state.db") if cron else ()
    res = run_cli("run", SEEDS, "--out", out, *state)
    assert res.exit_code == 2
    assert "is a file, not a folder" in res.output
    assert out.read_text() == "not a folder" and not (tmp_path / "state.db").exists()


def test_config_file_is_read(tmp_path, run_cli):
    cfg = tmp_path / "c.toml"
    cfg.write_text('min_words = 1000\nlangs = ["en"]\n')
    out = tmp_path / "o"
    assert run_cli("run", SEEDS, "--out", out, "--config", cfg, "--workers", "1").exit_code == 0
    reasons = [r["reason"] for r in read_jsonl(out / "rejected.jsonl")]
    assert sum("too short" in r for r in reasons) == 5


def test_missing_input_is_rejected_not_fatal(tmp_path, run_cli):
    out = tmp_path / "o"
    res = run_cli(
        "run", SEEDS / "000_3e09eba3cd64ecb5.txt", tmp_path / "nope.txt", "--out", out, "--workers", "1"
    )
    assert res.exit_code == 0
    assert read_jsonl(out / "rejected.jsonl")[0]["reason"] == "no such file or directory"
    assert len(read_jsonl(out / "articles.jsonl")) == 1


def test_explain_shows_every_line_with_its_reason(run_cli):
    res = run_cli("explain", STORY)
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert any(" drop paywall " in x and "Sign up to read this article" in x for x in lines)
    assert any(" drop author " in x and "Shona Murray" in x for x in lines)
    assert any(" KEEP story " in x and "Rutte has repeatedly said" in x for x in lines)
    assert "title:    'Rutte to convince Trump to stay in NATO at crucial White House meeting'" in lines
    assert "author:   'Shona Murray'" in lines


def test_explain_takes_json_lines_record_by_record_or_one_record_by_its_source(tmp_path, run_cli):
    story = STORY.read_text(encoding="utf-8")
    html = "<html><body><article><p>" + "</p><p>".join(story.splitlines()[:8]) + "</p></article></body></html>"
    feed = tmp_path / "feed.jsonl"
    feed.write_text(
        json.dumps({"text": story}) + "\n{broken\n\n" + json.dumps({"html": html}) + "\n", encoding="utf-8"
    )
    res = run_cli("explain", feed)
    assert res.exit_code == 0
    headers = [x for x in res.stdout.splitlines() if x.startswith(("# ", str(feed)))]
    assert headers[0] == f"# {feed.as_posix()}#1"
    assert any(x.startswith(f"{feed.as_posix()}#2: rejected: malformed JSON line") for x in headers)
    assert f"# {feed.as_posix()}#4" in headers  # the HTML record goes through extraction, not the file
    assert "# extraction: trafilatura (line numbers are of the extracted text)" in headers
    one = run_cli("explain", f"{feed}#4")
    assert one.exit_code == 0
    assert one.stdout.startswith(f"# {feed.as_posix()}#4\n") and f"{feed.as_posix()}#1" not in one.stdout


@pytest.mark.parametrize(
    ("target", "why"),
    [("feed.jsonl#3", "feed.jsonl has no record #3"), ("nope.txt", "no such file"), (".", "is a folder")],
)
def test_explain_of_nothing_it_can_read_is_a_usage_error_that_says_why(tmp_path, run_cli, monkeypatch, target, why):
    (tmp_path / "feed.jsonl").write_text('{"text": "a"}\n\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    res = run_cli("explain", target)
    assert res.exit_code == 2
    assert why in res.output


def test_help_explains_the_options(run_cli):
    res = run_cli("run", "--help")
    for word in ("--no-dedup", "--threshold", "--lang", "--workers", "Exit codes"):
        assert word in res.stdout


def test_dedup_output_same_for_one_and_two_workers(tmp_path, run_cli, seeds_dir):
    import shutil

    inp = tmp_path / "in"
    inp.mkdir()
    seeds = sorted(seeds_dir.glob("*.txt"))[:6]
    for i, p in enumerate(seeds):
        shutil.copy(p, inp / p.name)
        shutil.copy(p, inp / f"copy_{len(seeds) - i}_{p.name}")  # exact copies under other names
    outs = _articles_with_workers(run_cli, inp, tmp_path)
    assert outs[0] == outs[1]
    assert '"canonical_reason"' in outs[0]


def test_sigterm_in_a_one_shot_run_leaves_no_temporary_files(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    from cleaner.state import KILL_ENV

    from .conftest import ROOT

    inp = _folder_with_copies(tmp_path)
    out = tmp_path / "out"
    env = {**os.environ, KILL_ENV: "emitting:TERM"}
    args = [sys.executable, "-m", "cleaner", "run", str(inp), "--out", str(out), "--workers", "1"]
    res = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert res.returncode == 128 + signal.SIGTERM, res.stderr
    assert "articles.jsonl and rejected.jsonl were not written" in res.stderr
    leftovers = [p.name for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == [] and not (out / "articles.jsonl").exists()


def test_the_program_exits_quickly_with_its_exit_code_and_all_output_written(tmp_path):
    """``python -m cleaner`` (``cli.entry``: ``os._exit`` after the command) loses no output."""
    import subprocess
    import sys

    from .conftest import ROOT

    inp = _folder_with_copies(tmp_path)
    texts = sorted(p for p in inp.rglob("*") if p.is_file())
    records = "".join(json.dumps({"id": str(i), "text": p.read_text("utf-8")}) + "\n" for i, p in enumerate(texts))

    def program(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-m", "cleaner", *args]
        return subprocess.run(cmd, cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=180)

    out = tmp_path / "out"
    res = program("run", str(inp), "--out", str(out), "--workers", "2")
    assert res.returncode == 0, res.stderr
    assert "articles written" in res.stderr  # the summary line reaches stderr
    written = (out / "articles.jsonl").read_text("utf-8").splitlines()
    assert written and all(json.loads(line)["text"] for line in written)
    res = program("run", "-", "--out", "-", "--no-dedup", "--workers", "2", stdin=records)
    assert res.returncode == 0, res.stderr
    assert len([json.loads(line) for line in res.stdout.splitlines()]) + res.stderr.count("rejected ") == len(texts)
    assert program("run", str(inp)).returncode == 2  # usage error: no --out
    assert program("--version").stdout.startswith("cleaner")
