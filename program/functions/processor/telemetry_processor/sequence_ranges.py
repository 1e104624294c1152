"""A set of device sequence numbers, kept as ranges: the "already counted" record of an aggregate.

A device numbers its messages one after another, so the readings counted in a
window are almost always one run of consecutive numbers. Stored as ranges
("0-59", "0-41,43-60" after a lost message) the record stays a few bytes
however many readings the window holds, where a list of every number grows
with each of them, up to DynamoDB's 400 KB item limit for a device whose clock
is stuck on one minute.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable

_RANGE = re.compile(r"([0-9]+)(?:-([0-9]+))?")


class SequenceRanges:
    """Sorted, disjoint, non-adjacent inclusive ranges of non-negative integers."""

    __slots__ = ("_firsts", "_lasts")

    def __init__(self, numbers: Iterable[int] = ()):
        self._firsts: list[int] = []
        self._lasts: list[int] = []
        self._add_spans(_runs(numbers))

    def _add_spans(self, spans: Iterable[tuple[int, int]]) -> None:
        """Fold [first, last] spans in, merging the ones that overlap or touch."""
        for first, last in sorted(spans):
            if self._lasts and first <= self._lasts[-1] + 1:
                self._lasts[-1] = max(self._lasts[-1], last)
            else:
                self._firsts.append(first)
                self._lasts.append(last)

    @classmethod
    def parse(cls, text: str) -> SequenceRanges:
        """From ``str()``'s form, e.g. "0-41,43-60" or "" (none); ValueError if it is not that form."""
        ranges = cls()
        for part in filter(None, text.split(",")):
            match = _RANGE.fullmatch(part)
            if match is None:
                raise ValueError(f"{part!r} is not a number or a range of numbers in {text!r}")
            low, high = int(match[1]), int(match[2] or match[1])
            if high < low or (ranges._lasts and low <= ranges._lasts[-1] + 1):
                raise ValueError(f"not sorted, disjoint, non-adjacent ranges: {text!r}")
            ranges._firsts.append(low)
            ranges._lasts.append(high)
        return ranges

    def __contains__(self, number: object) -> bool:
        index = bisect_right(self._firsts, number) - 1
        return index >= 0 and number <= self._lasts[index]

    def union(self, numbers: Iterable[int]) -> SequenceRanges:
        """These ranges and ``numbers`` (a few thousand at most: a batch's readings of one window)."""
        merged = SequenceRanges()
        merged._add_spans([*zip(self._firsts, self._lasts, strict=True), *_runs(numbers)])
        return merged

    def __len__(self) -> int:
        return sum(last - first + 1 for first, last in zip(self._firsts, self._lasts, strict=True))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SequenceRanges):
            return NotImplemented
        return (self._firsts, self._lasts) == (other._firsts, other._lasts)

    def __str__(self) -> str:
        return ",".join(
            str(first) if first == last else f"{first}-{last}"
            for first, last in zip(self._firsts, self._lasts, strict=True)
        )

    def __repr__(self) -> str:
        return f"SequenceRanges({str(self)!r})"


def _runs(numbers: Iterable[int]) -> list[tuple[int, int]]:
    """``numbers`` as [first, last] runs of consecutive numbers, ascending.

    The hot path of every aggregate write: a window's fresh readings are almost
    always one run (a device numbers its messages in order), recognised without a
    Python-level loop over them.
    """
    ordered = sorted(set(numbers))
    if not ordered:
        return []
    if ordered[-1] - ordered[0] == len(ordered) - 1:
        return [(ordered[0], ordered[-1])]
    runs = []
    first = previous = ordered[0]
    for number in ordered[1:]:
        if number != previous + 1:
            runs.append((first, previous))
            first = number
        previous = number
    runs.append((first, previous))
    return runs
