"""Cron mode (``--state``) end to end, with real ``python -m cleaner run`` subprocesses.

The folders are built from the seed articles: a copy is the same story with other page chrome around
it, a teaser is the first half of a story. Kills are placed deterministically with the test-only hook
``CLEANER_TEST_KILL_AT=<phase>[:<SIGNAL>]`` (see ``cleaner.state.checkpoint``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cleaner.state import EX_TEMPFAIL, KILL_ENV

from .conftest import ROOT, SEEDS, read_jsonl

CHROME = [
    (
        ["Skip to main content", "Subscribe now for unlimited access to all our journalism."],
        ["Share this article on Facebook", "© 2025 Example Daily News. All rights reserved."],
    ),
    (
        ["Sign up for our free morning newsletter", "Advertisement"],
        ["Follow us on X and Instagram", "Read more: Allies meet again in Brussels next month"],
    ),
]


def seed(n: int) -> str:
    return next(SEEDS.glob(f"00{n}_*.txt")).read_text(encoding="utf-8")


def copy_of(n: int, variant: int) -> str:
    top, bottom = CHROME[variant]
    return "\n".join([*top, seed(n).strip(), *bottom]) + "\n"


def teaser_of(n: int) -> str:
    lines = [ln for ln in seed(n).splitlines() if len(ln.split()) > 12]
    return "\n".join(lines[: len(lines) // 2]) + "\n"


BATCH1 = {
    "a/000.txt": lambda: seed(0),
    "a/001.txt": lambda: seed(1),
    "a/002.txt": lambda: seed(2),
    "b/001-copy.txt": lambda: copy_of(1, 0),  # a copy within the first run
    "b/menu.txt": lambda: "Home | World | Sport | Weather\n",  # not an article
}
BATCH2 = {
    "c/003.txt": lambda: seed(3),
    "c/004.txt": lambda: seed(4),
    "d/004-copy.txt": lambda: copy_of(4, 1),  # a copy within the second run
    "d/002-copy.txt": lambda: copy_of(2, 1),  # a copy of an article of the first run
    "d/000-teaser.txt": lambda: teaser_of(0),  # a teaser of an article of the first run
    "d/login.txt": lambda: "Log in\nForgot your password?\n",
}


def add(folder: Path, batch: dict) -> None:
    for name, make in batch.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make(), encoding="utf-8")


def cleaner(inp: Path, tmp: Path, *extra: str, kill_at: str | None = None, wait: bool = True):
    """``python -m cleaner run INP --out tmp/out --state tmp/state.db ...`` as a real process."""
    env = {k: v for k, v in os.environ.items() if k != KILL_ENV}
    if kill_at:
        env[KILL_ENV] = kill_at
    args = [sys.executable, "-m", "cleaner", "run", str(inp), "--out", str(tmp / "out")]
    args += ["--state", str(tmp / "state.db"), "--workers", "1", *extra]
    if not wait:
        return subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
    return subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=180)


def outputs(out: Path, kind: str) -> list[dict]:
    return [rec for f in sorted(out.glob(f"{kind}-*.jsonl")) for rec in read_jsonl(f)]


def comparable(out: Path) -> tuple:
    """Everything a consumer of all the run files gets, without the run names and times."""
    arts = sorted(
        (a["id"], a["source"], a["title"], a["text"], a["lang"], tuple(a["duplicates"]))
        for a in outputs(out, "articles")
    )
    dups = sorted(tuple(sorted(d.items())) for d in outputs(out, "duplicates"))
    rej = sorted((r["source"], r["reason"]) for r in outputs(out, "rejected"))
    return arts, dups, rej


def accounted(out: Path) -> dict[str, int]:
    seen: dict[str, int] = {}
    for art in outputs(out, "articles"):
        for s in [art["source"], *art["duplicates"]]:
            seen[s] = seen.get(s, 0) + 1
    for rec in outputs(out, "duplicates") + outputs(out, "rejected"):
        seen[rec["source"]] = seen.get(rec["source"], 0) + 1
    return seen


def no_temporaries(out: Path) -> bool:
    return not [p for p in out.rglob("*") if p.name.startswith(".") and p.name.endswith(".tmp")]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> tuple:
    """Two runs over a growing folder, never interrupted: the reference for the kill tests."""
    tmp = tmp_path_factory.mktemp("reference")
    inp = tmp / "in"
    add(inp, BATCH1)
    first = cleaner(inp, tmp)
    assert first.returncode == 0, first.stderr
    add(inp, BATCH2)
    second = cleaner(inp, tmp, "--workers", "2")
    assert second.returncode == 0, second.stderr
    return tmp, first, second


def test_growing_folder_finds_copies_across_runs_and_accounts_for_every_input(uninterrupted):
    tmp, first, second = uninterrupted
    out = tmp / "out"
    runs = sorted(out.glob("articles-*.jsonl"))
    assert len(runs) == 2, "one articles file per run"
    first_arts, second_arts = (read_jsonl(f) for f in runs)
    assert sorted(a["source"] for a in first_arts) in (
        ["a/000.txt", "a/001.txt", "a/002.txt"],
        ["a/000.txt", "a/002.txt", "b/001-copy.txt"],
    )
    assert len(second_arts) == 2, "003 and one copy of 004"
    [group] = [a for a in second_arts if a["duplicates"]]
    assert {group["source"], *group["duplicates"]} == {"c/004.txt", "d/004-copy.txt"}
    # copies of first-run articles are recorded against those articles' ids, not emitted again
    ids = {a["source"]: a["id"] for a in first_arts}
    dups = {d["source"]: d for d in outputs(out, "duplicates")}
    assert set(dups) == {"d/002-copy.txt", "d/000-teaser.txt"}
    assert dups["d/002-copy.txt"]["duplicate_of"] == ids["a/002.txt"]
    assert dups["d/000-teaser.txt"]["duplicate_of"] == ids["a/000.txt"]
    assert dups["d/000-teaser.txt"]["containment"] >= 0.8 > dups["d/000-teaser.txt"]["jaccard"]
    rejected = {r["source"] for r in outputs(out, "rejected")}
    assert rejected == {"b/menu.txt", "d/login.txt"}
    assert accounted(out) == {name: 1 for name in {**BATCH1, **BATCH2}}
    assert "6 new or changed inputs read, 5 unchanged skipped" in second.stderr
    assert "(2 of earlier articles)" in second.stderr
    # not on a terminal: no per-input notices, one summary line
    assert second.stderr.strip().count("\n") == 0, second.stderr
    assert no_temporaries(out)
    assert not (out / "articles.jsonl").exists(), "--state runs never write the one-shot layout"


def test_unchanged_rerun_emits_nothing(uninterrupted, tmp_path):
    tmp, _, _ = uninterrupted
    before = sorted(p.name for p in (tmp / "out").iterdir())
    res = cleaner(tmp / "in", tmp)
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in (tmp / "out").iterdir()) == before
    assert "0 new or changed inputs read, 11 unchanged skipped, 0 articles written" in res.stderr


@pytest.mark.parametrize("phase", ["processing", "written", "transaction", "committed", "renamed", "text"])
def test_sigkill_at_any_phase_then_rerun_matches_an_uninterrupted_run(uninterrupted, tmp_path, phase):
    inp = tmp_path / "in"
    add(inp, BATCH1)
    assert cleaner(inp, tmp_path).returncode == 0
    add(inp, BATCH2)
    killed = cleaner(inp, tmp_path, kill_at=phase)
    assert killed.returncode == -signal.SIGKILL
    out = tmp_path / "out"
    for f in out.glob("*.jsonl"):  # whatever a consumer can see is complete JSON
        for line in f.read_text(encoding="utf-8").splitlines():
            json.loads(line)
    rerun = cleaner(inp, tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    ref_out = uninterrupted[0] / "out"
    assert comparable(out) == comparable(ref_out)
    assert accounted(out) == {name: 1 for name in {**BATCH1, **BATCH2}}
    assert no_temporaries(out)
    texts = sorted(p.relative_to(out / "text").as_posix() for p in (out / "text").rglob("*.txt"))
    assert texts == sorted(
        p.relative_to(ref_out / "text").as_posix() for p in (ref_out / "text").rglob("*.txt")
    )


def test_sigterm_stops_cleanly_and_the_next_run_redoes_the_work(uninterrupted, tmp_path):
    inp = tmp_path / "in"
    add(inp, {**BATCH1, **BATCH2})
    stopped = cleaner(inp, tmp_path, kill_at="processing:TERM")
    assert stopped.returncode == 128 + signal.SIGTERM
    assert "stopped by SIGTERM" in stopped.stderr
    out = tmp_path / "out"
    assert not list(out.glob("*.jsonl")) and no_temporaries(out)
    done = cleaner(inp, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "11 new or changed inputs read" in done.stderr


def test_sigterm_during_the_commit_waits_for_it(tmp_path):
    inp = tmp_path / "in"
    add(inp, BATCH1)
    res = cleaner(inp, tmp_path, kill_at="committed:TERM")
    assert res.returncode == 0, res.stderr
    assert "SIGTERM arrived during the commit" in res.stderr
    assert len(outputs(tmp_path / "out", "articles")) == 3


def test_a_second_run_on_the_same_state_is_refused_with_75(tmp_path):
    inp = tmp_path / "in"
    add(inp, BATCH1)
    holder = cleaner(inp, tmp_path, kill_at="processing:STOP", wait=False)
    try:
        deadline = time.monotonic() + 120
        while Path(f"/proc/{holder.pid}/stat").read_text().split(") ")[1][0] != "T":
            assert holder.poll() is None, holder.stderr.read() if holder.stderr else ""
            assert time.monotonic() < deadline, "the first run never reached its stop point"
            time.sleep(0.05)
        refused = cleaner(inp, tmp_path)
        assert refused.returncode == EX_TEMPFAIL
        assert "another cleaner run" in refused.stderr and str(holder.pid) in refused.stderr
    finally:
        holder.send_signal(signal.SIGCONT)
        _, err = holder.communicate(timeout=180)
    assert holder.returncode == 0, err
    assert len(outputs(tmp_path / "out", "articles")) == 3


def test_changed_input_is_reprocessed(tmp_path):
    inp = tmp_path / "in"
    add(inp, BATCH1)
    first = cleaner(inp, tmp_path, "--no-text-files")
    assert first.returncode == 0
    ids = {a["source"]: a["id"] for a in outputs(tmp_path / "out", "articles")}
    (inp / "a/002.txt").write_text(copy_of(2, 0), encoding="utf-8")  # only its page chrome changed
    res = cleaner(inp, tmp_path, "--no-text-files", "-v")
    assert "1 new or changed inputs read, 4 unchanged skipped" in res.stderr
    [dup] = [d for d in outputs(tmp_path / "out", "duplicates")]
    assert dup["source"] == "a/002.txt" and dup["duplicate_of"] == ids["a/002.txt"]


def test_keep_days_forgets_old_signatures(tmp_path):
    inp = tmp_path / "in"
    add(inp, {"a/002.txt": BATCH1["a/002.txt"]})
    assert cleaner(inp, tmp_path).returncode == 0
    time.sleep(1.5)
    add(inp, {"d/002-copy.txt": BATCH2["d/002-copy.txt"]})
    res = cleaner(inp, tmp_path, "--keep-days", "0.00001")  # under a second
    assert res.returncode == 0, res.stderr
    assert [a["source"] for a in outputs(tmp_path / "out", "articles")] == ["a/002.txt", "d/002-copy.txt"]
    assert outputs(tmp_path / "out", "duplicates") == []


def test_state_refuses_other_minhash_settings_and_logs_to_file(tmp_path):
    inp = tmp_path / "in"
    add(inp, {"a/000.txt": BATCH1["a/000.txt"]})
    log = tmp_path / "cleaner.log"
    assert cleaner(inp, tmp_path, "--log-file", str(log)).returncode == 0
    conf = tmp_path / "perm.toml"
    conf.write_text("num_perm = 64\n")
    res = cleaner(inp, tmp_path, "--config", str(conf), "--log-file", str(log))
    assert res.returncode == 2
    assert "num_perm: state '128', this run '64'" in res.stderr
    text = log.read_text()
    assert "INFO 1 new or changed inputs read" in text and "ERROR" in text and "num_perm" in text


def test_appended_jsonl_records_are_new_inputs_and_the_old_ones_are_skipped(tmp_path):
    inp = tmp_path / "in"
    inp.mkdir()
    feed = inp / "feed.jsonl"
    records = [{"id": "r0", "text": seed(0)}, {"id": "r1", "text": seed(1)}]
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    assert cleaner(inp, tmp_path, "--no-text-files").returncode == 0
    with feed.open("a", encoding="utf-8") as fh:  # the scraper appends: a copy of r0 and a new story
        fh.write(json.dumps({"id": "r2", "text": copy_of(0, 1)}) + "\n")
        fh.write(json.dumps({"id": "r3", "text": seed(2)}) + "\n")
    res = cleaner(inp, tmp_path, "--no-text-files")
    assert "2 new or changed inputs read, 2 unchanged skipped" in res.stderr
    assert [a["id"] for a in outputs(tmp_path / "out", "articles")] == ["r0", "r1", "r3"]
    assert [(d["id"], d["duplicate_of"]) for d in outputs(tmp_path / "out", "duplicates")] == [("r2", "r0")]


def test_a_file_that_is_not_a_state_is_refused(tmp_path):
    inp = tmp_path / "in"
    add(inp, {"a/000.txt": BATCH1["a/000.txt"]})
    (tmp_path / "state.db").write_text("these are not the droids\n" * 100)
    res = cleaner(inp, tmp_path)
    assert res.returncode == 2
    assert "not a usable cleaner state" in res.stderr


def test_a_run_in_the_same_second_as_the_last_one_gets_a_later_stamp(monkeypatch):
    """Output names sort by their stamps: a run that starts in the second of the last run's stamp
    waits for the next second (the run ids after the stamps are random, so they cannot order them)."""
    import time

    from cleaner import incremental

    last = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    assert incremental._stamp_after(last) > last
    monkeypatch.setattr(incremental, "STAMP_WAIT", 0.1)
    assert incremental._stamp_after("99991231T235959Z") < "99991231T235959Z"  # a clock set back: no hang


def test_a_cron_run_streams_its_inputs_and_texts_like_a_one_shot_run(tmp_path, monkeypatch):
    """JSONL records are read as the workers ask for them, not all before the first is cleaned, and
    the kept texts wait on disk while documents are compared and grouped: a large first run over a
    scraper's folder holds no more in memory than a one-shot run."""
    from cleaner import dedup, pipeline
    from cleaner.config import Config
    from cleaner.incremental import run_incremental
    from cleaner.signals import StopSignals
    from cleaner.state import State

    feed = tmp_path / "feed.jsonl"
    records = [{"id": f"r{i}", "text": copy_of(i % 5, i % 2)} for i in range(8)]  # copies of five stories
    feed.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    seen: dict[str, int] = {"fingerprinted": 0}
    cleaned_after: list[int] = []  # inputs fingerprinted when each document is cleaned
    fingerprint, process, group = State.fingerprint, pipeline.process, dedup.group

    def counting(self, item):
        seen["fingerprinted"] += 1
        return fingerprint(self, item)

    def cleaning(item, config):
        cleaned_after.append(seen["fingerprinted"])
        return process(item, config)

    def grouping(docs, *args, **kwargs):
        seen["texts in memory"] = sum(bool(d.text) for d in docs)
        seen["grouped"] = len(docs)
        return group(docs, *args, **kwargs)

    monkeypatch.setattr(State, "fingerprint", counting)
    monkeypatch.setattr(pipeline, "process", cleaning)
    monkeypatch.setattr(dedup, "group", grouping)
    config = Config(workers=1)
    state = State(tmp_path / "state.db", config)
    try:
        with StopSignals() as stop:
            summary = run_incremental([str(feed)], config, state, tmp_path / "out", stop, text_files=False)
    finally:
        state.close()
    # each record cleaned right after it was read (the last ones; the first is the workers' warm-up)
    assert cleaned_after[-len(records) :] == list(range(1, len(records) + 1))
    assert seen["grouped"] == summary.written + summary.duplicates and seen["texts in memory"] == 0
    articles = outputs(tmp_path / "out", "articles")
    assert len(articles) == summary.written == 5 and all(a["text"].strip() for a in articles)
