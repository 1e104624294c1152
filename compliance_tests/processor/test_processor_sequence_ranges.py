"""The counted-sequences record of an aggregate, kept as ranges, against a plain set."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telemetry_processor.sequence_ranges import SequenceRanges

from compliance_tests.processor import sinks_view
from compliance_tests.processor.events import Shard, invoke, message

numbers = st.sets(st.integers(0, 60), max_size=40)


@given(numbers, numbers)
def test_ranges_hold_exactly_the_numbers_of_a_set(held, more):
    ranges = SequenceRanges(held)
    assert [n for n in range(-2, 64) if n in ranges] == sorted(held)
    assert len(ranges) == len(held)
    assert SequenceRanges.parse(str(ranges)) == ranges
    assert ranges.union(more) == SequenceRanges(held | more)


def test_consecutive_numbers_are_one_range_and_gaps_split_it():
    assert str(SequenceRanges(range(60))) == "0-59"
    assert str(SequenceRanges([*range(42), *range(43, 61), 90])) == "0-41,43-60,90"
    assert str(SequenceRanges()) == ""


@pytest.mark.parametrize("text", ["5-3", "1,1", "1,2", "3,1", "x", "-1", "3-", "1-2-3", "1, 2"])
def test_anything_but_sorted_disjoint_ranges_is_refused(text):
    with pytest.raises(ValueError):
        SequenceRanges.parse(text)


@pytest.mark.slow
def test_a_device_stuck_on_one_minute_keeps_a_small_aggregate(handler, aws, resources, facility, database):
    """2,000 readings with the same timestamp: one window, one range, a few bytes (not 2,000 numbers)."""
    device, stuck = f"{facility}-stuck", time.time() - 3600
    rng = random.Random(5)
    messages = [
        message(device, sequence, stuck, {"temperature_c": round(rng.uniform(50, 70), 3)}, facility=facility)
        for sequence in range(2000)
    ]
    shard = Shard()
    for start in range(0, 2000, 500):
        assert invoke(handler, shard.records(messages[start : start + 500], arrival=time.time())) == {
            "batchItemFailures": []
        }
    [stored] = sinks_view.stored_aggregates(database, {device}).values()
    assert stored["count"] == 2000
    assert str(stored["appliedSequences"]) == "0-1999"  # the column holds the ranges' text
