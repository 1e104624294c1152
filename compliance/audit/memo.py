"""A thread-safe memo: concurrent checks that need the same listing make one set of API calls.

The first thread to ask for a key computes it while later ones wait on that
key's lock; a failure is remembered too, so every check that depends on a
listing that failed reports the same error without calling the API again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any


class Memo:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[Hashable, threading.Lock] = {}
        self._values: dict[Hashable, tuple[bool, Any]] = {}

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                try:
                    self._values[key] = (True, compute())
                except Exception as exc:  # remembered and re-raised to every caller
                    self._values[key] = (False, exc)
            ok, value = self._values[key]
        if ok:
            return value
        raise value
