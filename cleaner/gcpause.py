"""Start-up without the cyclic garbage collector: ``cleaner run`` pauses it until the workers fork.

Start-up (imports, phrase rules, stoplists, langdetect's profiles, trafilatura's warm-up) makes
~100,000 objects that last the whole run and only ~1,000 of garbage, yet the collector ran ~240
times over them (~70 of those during the imports): ~0.2 s of every run's CPU, in the part no worker
can share. Nothing else changes: the collector only ever frees unreachable cycles.
"""

from __future__ import annotations

import gc

_GC_PAUSED = False


def pause_gc() -> None:
    """Turn the cyclic garbage collector off until :func:`settle` (``pipeline.process_all`` calls it
    once warmed up, before its workers fork). For the command line, before it imports the pipeline."""
    global _GC_PAUSED
    if gc.isenabled():
        gc.disable()
        _GC_PAUSED = True


def settle() -> None:
    """After :func:`pause_gc`: leave what start-up made to reference counting (``gc.freeze``), so
    neither this process nor the workers forked from it scan those objects again in every full
    collection (nor copy their pages doing so), and turn the collector back on.

    Only then: in a program that uses the library, freezing would keep whatever cycles its own
    objects form later from ever being collected.
    """
    global _GC_PAUSED
    if _GC_PAUSED:
        _GC_PAUSED = False
        gc.freeze()
        gc.enable()
