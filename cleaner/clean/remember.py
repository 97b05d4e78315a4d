"""How the cleaner's per-line caches make room when full: they keep the lines that came back.

A run meets a site's menus, footers and promos on every page of the site, and each story line once.
The caches of answers by line (``features.LINES``, the phrase answers in ``phrases.Rules``) are
bounded; forgetting everything when full made them work out the chrome lines of every site again.
Keeping only the entries read again since the last time it was full drops the story lines and keeps
the chrome: on 2,000 pages of the load benchmark, 27,600 instead of 38,039 line misses (26,481 with
no bound) and 34,136 instead of 54,114 phrase misses (30,791). Answers are pure functions of their
keys, so what is kept changes no result, only the time.
"""

from __future__ import annotations

from typing import Any

#: at most this share of a full cache is kept (when more came back, it starts empty as before)
KEEP_SHARE = 0.75


def make_room(cache: dict[Any, Any], reused: set[Any], size: int) -> None:
    """Empty the full ``cache`` but for its keys in ``reused`` (those read again since it was last
    full, unless they are over ``KEEP_SHARE`` of ``size``); ``reused`` starts again."""
    kept = {key: cache[key] for key in reused if key in cache} if len(reused) <= size * KEEP_SHARE else {}
    cache.clear()
    cache.update(kept)
    reused.clear()
