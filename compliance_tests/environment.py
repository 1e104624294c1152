"""Environment variables set (or unset) for the duration of a block, then restored: one helper for every suite."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager


@contextmanager
def environment(values: dict[str, str], unset: Iterable[str] = ()) -> Iterator[None]:
    """Set ``values`` and remove ``unset`` until the block ends, then restore every previous value."""
    unset = tuple(unset)
    saved = {name: os.environ.get(name) for name in (*values, *unset)}
    os.environ.update(values)
    for name in unset:
        os.environ.pop(name, None)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
