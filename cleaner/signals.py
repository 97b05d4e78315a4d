"""Stopping a run cleanly: SIGINT/SIGTERM handling and the test-only kill points.

Kept apart from ``incremental`` and ``state`` (numpy's random generator, sqlite3) so that a one-shot
``cleaner run`` does not import them just for these.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: test-only: ``CLEANER_TEST_KILL_AT=<phase>[:<SIGNAL>]`` makes the process send itself SIGKILL (or
#: the named signal: TERM, INT, STOP) at that phase; see :func:`checkpoint`
KILL_ENV = "CLEANER_TEST_KILL_AT"


def checkpoint(phase: str) -> None:
    """Test-only hook, so tests can kill a run at a named phase deterministically.

    Phases: ``processing`` (first document done), ``written`` (run files written, not committed),
    ``transaction`` (inside the state transaction, before COMMIT), ``committed`` (before the renames),
    ``renamed`` (after the first rename), ``text`` (text files written, run not marked done); in a
    one-shot run (no ``--state``), ``emitting`` (after each article is written).
    Unset (always, outside tests) it does nothing.
    """
    want = os.environ.get(KILL_ENV)
    if want:
        name, _, sig = want.partition(":")
        if name == phase:
            os.kill(os.getpid(), getattr(signal, f"SIG{sig or 'KILL'}"))


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived before the run's commit: nothing of the run was kept."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class StopSignals:
    """SIGINT/SIGTERM raise :class:`Interrupted` in this process, but wait while the commit runs.

    Forked worker processes inherit the handler; there it restores the default action and re-raises
    the signal, so ``Pool.terminate`` still ends them.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __enter__(self) -> StopSignals:
        self.pid = os.getpid()
        self.in_critical = False
        self.deferred: list[int] = []
        self.previous = {s: signal.signal(s, self._handle) for s in self.SIGNALS}
        return self

    def __exit__(self, *exc: Any) -> None:
        for s, handler in self.previous.items():
            signal.signal(s, handler)

    def _handle(self, signum: int, frame: Any) -> None:
        if os.getpid() != self.pid:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        if self.in_critical:
            self.deferred.append(signum)
            return
        raise Interrupted(signum)

    @contextmanager
    def critical(self) -> Iterator[None]:
        self.in_critical = True
        try:
            yield
        finally:
            self.in_critical = False
