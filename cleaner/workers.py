"""Run a per-document function in worker processes, surviving workers that die.

``multiprocessing.Pool`` loses the task of a worker that dies (a segfault in a C library, the
kernel's out-of-memory killer) and then waits for its result forever. ``ProcessPoolExecutor``
instead marks the pool broken; the documents that were in flight are then retried one at a time in
a process of their own, so only the document that kills its worker again is rejected, with a reason,
and the run goes on with a fresh pool.

Documents go to the workers in batches (``BATCH`` per task): each task costs the main process
about a millisecond of its executor threads, pickling and bookkeeping, which one document at a
time took from the workers' cores. The last documents of a run go one at a time, so no worker
is left with a full batch while the other idles. Each document is still processed on its own
(the worker's per-document time limit, its own result or rejection); how they are batched
changes no result.

Passes that sign texts several times a run share one pool (``kept_pools``); work that needs nothing
of a pool's initializer (the canonical choice of copies) can borrow that pool (``imap(borrow=True)``).

The per-document time limit inside a worker (SIGALRM) cannot stop C code that never returns to the
interpreter (lxml stuck on a pathological page). So the parent also waits at most ``timeout`` seconds
per document of a task for its results, counted from when that task became the oldest one in flight
(so never less than its run time); then it kills the workers, rejects a document that was alone in
its task as timed out, and retries the others one at a time, as after a crash.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: a worker whose resident memory has passed this after a task is replaced, with its pool, once the
#: tasks in flight are done: memory a library never gave back. A worker's own caches are bounded, and
#: they hold it at ~170 MiB (text) or ~150 MiB (HTML), so a pool lives as long as that holds and its
#: workers keep the lines they have learnt (replacing it every 2,000 documents made the line cache
#: miss 38 % more often at 8,000 generated pages, and each new worker loads its data again, ~0.5 s)
RECYCLE_RSS = 384 << 20
#: documents per worker after which its pool is replaced whatever its memory: a bound for what a
#: long-lived worker may gather besides memory (open files, threads a library starts)
RECYCLE_TASKS = 50_000
#: tasks in flight per worker (keeps workers busy without reading all inputs ahead)
IN_FLIGHT = 4
#: documents per task while more than a few batches per worker are left
BATCH = 8
DIED = (
    "worker process died while processing it (a crash in a library, or killed by the system, "
    "e.g. out of memory)"
)


def stuck(timeout: float) -> str:
    """The rejection reason for a document whose worker gave no answer within ``timeout`` seconds."""
    return f"timed out: no result after {timeout:g} s (stuck in a library); its worker was stopped"


def _context() -> Any:
    return mp.get_context("fork" if os.name == "posix" else "spawn")


def _fresh_context() -> Any:
    """The context of pools made once the run is under way (recycled or after a crash).

    By then the main process holds every kept document's signature; a worker forked from it maps
    all of that, and each one shows it in its RSS again (2 workers: 3x the main process). These
    workers fork from a small server process that has only imported the pipeline instead.
    """
    if "forkserver" not in mp.get_all_start_methods():
        return _context()
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["cleaner.pipeline"])
    return ctx


#: pools kept between ``imap`` calls inside ``kept_pools``: (initializer, initargs, workers, fresh) ->
#: (pool, documents sent to it)
_KEPT: dict[tuple[Any, ...], tuple[ProcessPoolExecutor, int]] | None = None


@contextlib.contextmanager
def kept_pools() -> Iterator[None]:
    """Within this, ``imap(..., keep=True)`` calls with the same initializer share one pool: the
    cross-document passes re-sign texts up to seven times a run, and a pool costs ~0.5 s of wall
    time to start (the main process waits for it). The pools end with the block."""
    global _KEPT
    outer, _KEPT = _KEPT, {}
    try:
        yield
    finally:
        kept, _KEPT = _KEPT, outer
        for pool, _ in kept.values():
            pool.shutdown(wait=True, cancel_futures=True)


def _batch(work: Callable[[T], R], items: list[T]) -> tuple[list[R], int]:
    """One task in a worker: ``work`` on each document in turn; and the worker's memory after it."""
    return [work(item) for item in items], resident()


def resident() -> int:
    """This process's resident memory in bytes: now (Linux), else its peak (``ru_maxrss``)."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        try:
            import resource
        except ImportError:  # Windows: never replaced for its memory
            return 0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def batch_size(left: int, workers: int, exhausted: bool, batch: int | None = None) -> int:
    """How many documents the next task takes, ``left`` being those read but not yet sent.

    ``batch`` (default ``BATCH``) while the input goes on; at its end, smaller tasks, down to one
    document, so that the workers finish together (each last task is at most half a worker's fair share).
    """
    batch = BATCH if batch is None else batch
    if not exhausted:
        return batch
    return max(1, min(batch, left // (2 * workers)))


def imap(
    work: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
    failed: Callable[[T, str], R],
    timeout: float | None = None,
    fresh: bool = False,
    keep: bool = False,
    batch: int | None = None,
    borrow: bool = False,
) -> Iterator[R]:
    """``work(item)`` for every item, in ``workers`` processes; yields one result per item.

    Results come in input order except after a worker died. ``failed(item, reason)`` makes the
    result for an item that could not be processed (its worker died, it got no answer within
    ``timeout`` seconds, or the result was lost). ``fresh``: fork the first pool from the small
    server too (the main process is already large). ``keep``: inside ``kept_pools``, take the pool
    that an earlier call with the same ``initializer`` and ``initargs`` left, and leave it for the next.
    ``batch``: documents per task instead of ``BATCH`` (more for cheap work, where a task's own
    cost in the main process would dominate). ``borrow`` (with ``keep``): for ``work`` that needs
    nothing of its pool's initializer, take any pool kept with the same ``workers`` and ``fresh``
    (one started by another pass: no second pool to start and hold), and leave it under its own
    initializer; ``initializer`` and ``initargs`` only start a pool when none is kept.
    """
    batch = BATCH if batch is None else batch
    ctx = _fresh_context() if fresh else _context()
    kept_as = (initializer, initargs, workers, fresh) if keep and _KEPT is not None else None
    if kept_as is not None and borrow and _KEPT is not None and kept_as not in _KEPT:
        lent = next((key for key in _KEPT if key[2:] == (workers, fresh)), None)
        if lent is not None:  # the lender's initializer starts the pool again after a crash or recycling
            kept_as = lent
            initializer, initargs = lent[0], lent[1]
    source = iter(items)
    exhausted = False
    # read from the source, not yet sent (and items refused by a pool that had just broken):
    # a few batches ahead, so that the end of the input is seen in time to send it in small tasks
    ahead: deque[T] = deque()
    ahead_max = workers * IN_FLIGHT * batch
    pending: deque[tuple[list[T], Future[list[R]]]] = deque()
    if kept_as is not None and _KEPT is not None and kept_as in _KEPT:
        pool, submitted = _KEPT.pop(kept_as)
    else:
        pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=initializer, initargs=initargs)
        submitted = 0
    done = False
    try:
        while True:
            if submitted >= workers * RECYCLE_TASKS and not pending and (ahead or not exhausted):
                pool.shutdown(wait=True)
                ctx = _fresh_context()
                pool = ProcessPoolExecutor(
                    workers, mp_context=ctx, initializer=initializer, initargs=initargs
                )
                submitted = 0
            broken = False
            while len(pending) < workers * IN_FLIGHT and submitted < workers * RECYCLE_TASKS:
                while not exhausted and len(ahead) < ahead_max:
                    try:
                        ahead.append(next(source))
                    except StopIteration:
                        exhausted = True
                if not ahead:
                    break
                size = min(batch_size(len(ahead), workers, exhausted, batch), workers * RECYCLE_TASKS - submitted)
                task = [ahead.popleft() for _ in range(min(size, len(ahead)))]
                try:
                    # a worker may have died since the last result: the pool then refuses new work
                    pending.append((task, pool.submit(_batch, work, task)))
                except BrokenProcessPool:
                    ahead.extendleft(reversed(task))
                    broken = True
                    break
                submitted += len(task)
            if broken and not pending:  # it died between tasks: nothing of ours was in it
                pool.shutdown(wait=False, cancel_futures=True)
                pool = ProcessPoolExecutor(
                    workers, mp_context=ctx, initializer=initializer, initargs=initargs
                )
                submitted = 0
                continue
            if not pending:
                done = True
                return
            task, future = pending.popleft()
            try:
                results, memory = future.result(timeout=None if timeout is None else timeout * len(task))
                if memory > RECYCLE_RSS:  # the pool takes no more tasks, and is replaced once drained
                    submitted = max(submitted, workers * RECYCLE_TASKS)
                yield from results
                continue
            except BrokenProcessPool:
                in_flight = [(task, future), *pending]
            except FutureTimeout:  # stuck where the worker's own time limit cannot reach
                _kill(pool)
                if len(task) == 1:
                    yield failed(task[0], stuck(timeout or 0))
                    in_flight = list(pending)
                else:  # which of them is stuck is not known: each is tried alone
                    in_flight = [(task, future), *pending]
            except Exception as exc:  # the results could not come back (e.g. not picklable)
                if len(task) == 1:
                    yield failed(task[0], f"internal error in a worker: {type(exc).__name__}: {exc}"[:300])
                else:
                    for each in task:
                        yield _alone(work, each, initializer, initargs, failed, timeout)
                continue
            # the pool is broken: every unfinished task failed with it; find the one that kills
            pending.clear()
            wait([fut for _, fut in in_flight])
            pool.shutdown(wait=False, cancel_futures=True)
            for each, fut in in_flight:
                if fut.done() and not fut.cancelled() and fut.exception() is None:
                    yield from fut.result()[0]
                else:
                    for item in each:
                        yield _alone(work, item, initializer, initargs, failed, timeout)
            pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=initializer, initargs=initargs)
            submitted = 0
    finally:
        if done and kept_as is not None and _KEPT is not None:
            _KEPT[kept_as] = (pool, submitted)  # idle and whole: the next call takes it
        else:
            # all done: wait for the idle workers to exit (the process may end with os._exit, cli.entry)
            pool.shutdown(wait=done, cancel_futures=True)


def _alone(
    work: Callable[[T], R],
    item: T,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
    failed: Callable[[T, str], R],
    timeout: float | None = None,
) -> R:
    """Process one suspect item in a pool of its own; reject it if its worker dies again or is stuck."""
    with ProcessPoolExecutor(1, mp_context=_context(), initializer=initializer, initargs=initargs) as pool:
        try:
            return pool.submit(work, item).result(timeout=timeout)
        except BrokenProcessPool:
            return failed(item, DIED)
        except FutureTimeout:
            _kill(pool)
            return failed(item, stuck(timeout or 0))
        except Exception as exc:
            return failed(item, f"internal error in a worker: {type(exc).__name__}: {exc}"[:300])


def _kill(pool: ProcessPoolExecutor) -> None:
    """Kill the pool's worker processes (a stuck one ignores everything else); the pool then breaks."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.kill()
