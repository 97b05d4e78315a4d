"""Run a per-document function in worker processes, surviving workers that die.

``multiprocessing.Pool`` loses the task of a worker that dies (a segfault in a C library, the
kernel's out-of-memory killer) and then waits for its result forever. ``ProcessPoolExecutor``
instead marks the pool broken; the documents that were in flight are then retried one at a time in
a process of their own, so only the document that kills its worker again is rejected, with a reason,
and the run goes on with a fresh pool.

The per-document time limit inside a worker (SIGALRM) cannot stop C code that never returns to the
interpreter (lxml stuck on a pathological page). So the parent also waits at most ``timeout`` seconds
for each result, counted from when that document became the oldest one in flight (so never less
than its run time); then it kills the workers, rejects that document as timed out, and retries the
others as after a crash.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, wait
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

#: tasks per worker before the pool is replaced (bounds memory that libraries never give back)
RECYCLE_TASKS = 2000
#: tasks in flight per worker (keeps workers busy without reading all inputs ahead)
IN_FLIGHT = 4
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


def imap(
    work: Callable[[T], R],
    items: Iterable[T],
    workers: int,
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
    failed: Callable[[T, str], R],
    timeout: float | None = None,
    fresh: bool = False,
) -> Iterator[R]:
    """``work(item)`` for every item, in ``workers`` processes; yields one result per item.

    Results come in input order except after a worker died. ``failed(item, reason)`` makes the
    result for an item that could not be processed (its worker died, it got no answer within
    ``timeout`` seconds, or the result was lost). ``fresh``: fork the first pool from the small
    server too (the main process is already large).
    """
    ctx = _fresh_context() if fresh else _context()
    source = iter(items)
    backlog: deque[T] = deque()  # taken from the source, refused by a pool that had just broken
    pending: deque[tuple[T, Future[R]]] = deque()
    pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=initializer, initargs=initargs)
    submitted = 0
    done = False
    try:
        while True:
            if submitted >= workers * RECYCLE_TASKS and not pending:
                pool.shutdown(wait=True)
                ctx = _fresh_context()
                pool = ProcessPoolExecutor(
                    workers, mp_context=ctx, initializer=initializer, initargs=initargs
                )
                submitted = 0
            broken = False
            while len(pending) < workers * IN_FLIGHT and submitted < workers * RECYCLE_TASKS:
                if backlog:
                    item = backlog.popleft()
                else:
                    try:
                        item = next(source)
                    except StopIteration:
                        break
                try:
                    # a worker may have died since the last result: the pool then refuses new work
                    pending.append((item, pool.submit(work, item)))
                except BrokenProcessPool:
                    backlog.appendleft(item)
                    broken = True
                    break
                submitted += 1
            if broken and not pending:  # it died between documents: nothing of ours was in it
                pool.shutdown(wait=False, cancel_futures=True)
                pool = ProcessPoolExecutor(
                    workers, mp_context=ctx, initializer=initializer, initargs=initargs
                )
                submitted = 0
                continue
            if not pending:
                done = True
                return
            item, future = pending.popleft()
            try:
                yield future.result(timeout=timeout)
                continue
            except BrokenProcessPool:
                in_flight = [(item, future), *pending]
            except FutureTimeout:  # stuck where the worker's own time limit cannot reach
                _kill(pool)
                yield failed(item, stuck(timeout or 0))
                in_flight = list(pending)
            except Exception as exc:  # the result could not come back (e.g. not picklable)
                yield failed(item, f"internal error in a worker: {type(exc).__name__}: {exc}"[:300])
                continue
            # the pool is broken: every unfinished task failed with it; find the one that kills
            pending.clear()
            wait([fut for _, fut in in_flight])
            pool.shutdown(wait=False, cancel_futures=True)
            for each, fut in in_flight:
                if fut.done() and not fut.cancelled() and fut.exception() is None:
                    yield fut.result()
                else:
                    yield _alone(work, each, initializer, initargs, failed, timeout)
            pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=initializer, initargs=initargs)
            submitted = 0
    finally:
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
