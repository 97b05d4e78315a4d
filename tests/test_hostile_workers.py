"""A document that takes too long, or kills its worker, is rejected with its reason; the run goes on."""

from __future__ import annotations

import os
import signal
import time

import pytest

from cleaner import pipeline, workers
from cleaner.config import Config
from cleaner.sources import Item

from .conftest import accounted
from .hostile import STORIES, run

needs_fork = pytest.mark.skipif(os.name != "posix", reason="workers inherit the patched stage only with fork")


def _folder(tmp_path, names):
    inp = tmp_path / "in"
    inp.mkdir()
    stories = list(STORIES.values())
    for i, name in enumerate(names):
        (inp / name).write_text(stories[i % len(stories)] + f" Report number {i}.")
    return inp


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_slow_document_is_rejected_by_the_time_limit(tmp_path, monkeypatch, workers):
    real = pipeline.clean

    def slow_clean(doc, config):
        if "slow" in doc.source:
            try:  # like a library that catches every Exception around its slow part
                time.sleep(30)
            except Exception:
                pass
            time.sleep(30)
        return real(doc, config)

    monkeypatch.setattr(pipeline, "clean", slow_clean)
    inp = _folder(tmp_path, ["a.txt", "slow.txt", "z.txt"])
    # 5 s, not 1: a worker's first document pays its start-up, which can pass 1 s on a loaded machine
    res = run([inp], tmp_path / "out", "--workers", workers, "--timeout", "5", "--no-dedup")
    assert res.exit_code == 0
    assert res.reason("slow.txt") == "timed out: took over 5 s to process"
    assert set(res.articles) == {"a.txt", "z.txt"}, res.rejected
    assert "rejected slow.txt: timed out" in res.stderr


def _die(how: str) -> None:
    if how == "exit":
        os._exit(3)
    os.kill(os.getpid(), signal.SIGSEGV if how == "segfault" else signal.SIGKILL)


@needs_fork
@pytest.mark.parametrize("how", ["exit", "segfault", "kill"])
def test_a_worker_that_dies_does_not_hang_or_lose_inputs(tmp_path, monkeypatch, how):
    real = pipeline.process

    def fatal(item, config):
        if item.source.startswith("fatal"):
            _die(how)
        return real(item, config)

    monkeypatch.setattr(pipeline, "process", fatal)
    names = [f"{i:02d}.txt" for i in range(12)] + ["fatal.txt"]
    inp = _folder(tmp_path, names)
    out = tmp_path / "out"
    res = run([inp], out, "--workers", "2", "--no-dedup")
    assert res.exit_code == 0
    assert res.reason("fatal.txt").startswith("worker process died while processing it")
    assert set(res.articles) == set(names) - {"fatal.txt"}
    assert set(accounted(set(names), out).values()) == {1}


@needs_fork
def test_process_all_recovers_from_several_deaths_and_keeps_going(monkeypatch):
    real = pipeline.process

    def fatal(item, config):
        if item.source.startswith("fatal"):
            os._exit(1)
        return real(item, config)

    monkeypatch.setattr(pipeline, "process", fatal)
    items = [Item(f"fatal{i}" if i % 7 == 3 else f"ok{i}", error="unusable") for i in range(40)]
    results = list(pipeline.process_all(items, Config(workers=3)))
    got = {doc.source: doc.rejected for doc, _ in results}
    assert len(results) == len(items) == len(got)
    for source, reason in got.items():
        assert reason.startswith("worker process died") == source.startswith("fatal")


@needs_fork
def test_a_document_stuck_where_the_alarm_cannot_reach_is_rejected_by_the_parent(tmp_path, monkeypatch):
    real = pipeline.clean

    def stuck_clean(doc, config):
        if "stuck" in doc.source:
            # like C code that never returns to the interpreter: the worker's alarm is never handled
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
            time.sleep(120)
        return real(doc, config)

    monkeypatch.setattr(pipeline, "clean", stuck_clean)
    names = [f"{i:02d}.txt" for i in range(6)] + ["stuck.txt"]
    inp = _folder(tmp_path, names)
    out = tmp_path / "out"
    res = run([inp], out, "--workers", "2", "--timeout", "0.5", "--no-dedup")
    assert res.exit_code == 0
    assert res.reason("stuck.txt").startswith("timed out: no result after 6 s")
    assert set(res.articles) == set(names) - {"stuck.txt"}
    assert set(accounted(set(names), out).values()) == {1}


def _double(n: int) -> int:
    return 2 * n


def _failed(n: int, reason: str) -> str:
    return reason


class _BreaksAtSubmit(workers.ProcessPoolExecutor):
    """A pool whose workers are killed just before the ``at``-th submit of the run.

    This is the race CI once hit: a worker dies while the parent is yielding a result, so the
    next ``submit`` (not a result) is what reports the broken pool.
    """

    calls = 0
    at = 0

    def submit(self, fn, /, *args, **kwargs):
        type(self).calls += 1
        if type(self).calls == type(self).at:
            workers._kill(self)
            deadline = time.monotonic() + 10
            while not self._broken and time.monotonic() < deadline:
                time.sleep(0.01)
        return super().submit(fn, *args, **kwargs)


@needs_fork
@pytest.mark.parametrize(("at", "batch"), [(3, 1), (8, 1), (9, 1), (20, 1), (3, 4), (8, 4)])
def test_a_pool_found_broken_at_submit_loses_nothing(monkeypatch, at, batch):
    monkeypatch.setattr(workers, "BATCH", batch)
    monkeypatch.setattr(_BreaksAtSubmit, "at", at)
    monkeypatch.setattr(_BreaksAtSubmit, "calls", 0)
    monkeypatch.setattr(workers, "ProcessPoolExecutor", _BreaksAtSubmit)
    got = list(workers.imap(_double, range(30), 2, initializer=_noop, initargs=(), failed=_failed))
    # nothing of ours was running in the killed workers, so nothing is rejected and nothing repeats
    assert sorted(got) == [2 * n for n in range(30)]


def _noop() -> None:
    pass


def _fatal_or_double(n: int) -> int:
    if n % 7 == 3:
        os._exit(1)
    return 2 * n


def _stuck_or_double(n: int) -> int:
    if n == 1:
        time.sleep(60)  # no time limit of its own here: only the parent's wait stops it
    return 2 * n


@needs_fork
@pytest.mark.parametrize(("batch", "recycle"), [(1, None), (3, None), (8, None), (1, 2), (3, 4)])
def test_results_do_not_depend_on_the_batch_size(monkeypatch, batch, recycle):
    """Also when pools are replaced every few documents."""
    monkeypatch.setattr(workers, "BATCH", batch)
    if recycle:
        monkeypatch.setattr(workers, "RECYCLE_TASKS", recycle)
    got = list(workers.imap(_fatal_or_double, range(40), 2, initializer=_noop, initargs=(), failed=_failed))
    # a death in a batch costs only the document that kills its worker again; order kept otherwise
    assert sorted(map(str, got)) == sorted(
        [workers.DIED if n % 7 == 3 else str(2 * n) for n in range(40)], key=str
    )
    assert [g for g in got if g != workers.DIED] == [2 * n for n in range(40) if n % 7 != 3]


@needs_fork
def test_a_stuck_document_in_a_batch_is_found_and_the_others_kept(monkeypatch):
    monkeypatch.setattr(workers, "BATCH", 3)
    got = list(
        workers.imap(_stuck_or_double, range(6), 1, initializer=_noop, initargs=(), failed=_failed, timeout=0.5)
    )
    assert got == [0, workers.stuck(0.5), 4, 6, 8, 10]


@needs_fork
def test_a_stuck_document_is_found_when_pools_are_replaced_after_every_document(monkeypatch):
    monkeypatch.setattr(workers, "BATCH", 1)
    monkeypatch.setattr(workers, "RECYCLE_TASKS", 1)
    got = list(
        workers.imap(_stuck_or_double, range(6), 1, initializer=_noop, initargs=(), failed=_failed, timeout=0.5)
    )
    assert got == [0, workers.stuck(0.5), 4, 6, 8, 10]


def _pid(n: int) -> int:
    return os.getpid()


@needs_fork
def test_kept_pools_serve_the_calls_of_a_block_and_end_with_it():
    def pids() -> set[int]:
        return set(workers.imap(_pid, range(8), 2, initializer=_noop, initargs=(), failed=_failed, keep=True))

    with workers.kept_pools():
        first = pids()
        kept = [process for pool, _ in (workers._KEPT or {}).values() for process in pool._processes.values()]
        second = pids()
    assert len(kept) == 2
    assert first | second <= {process.pid for process in kept}  # the second call ran in the first's workers
    assert all(not process.is_alive() for process in kept)
    assert pids().isdisjoint(first | second)  # outside a block, a call has a pool of its own


def test_the_last_documents_go_one_at_a_time():
    assert workers.batch_size(1000, 2, exhausted=False) == workers.BATCH
    assert workers.batch_size(1000, 2, exhausted=True) == workers.BATCH
    sizes, left = [], 30
    while left:
        sizes.append(workers.batch_size(left, 2, exhausted=True))
        left -= sizes[-1]
    assert sizes[-4:] == [1, 1, 1, 1] and sizes == sorted(sizes, reverse=True)
