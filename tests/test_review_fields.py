"""Edits become codebook values: the count table, formatting, moving between values."""

import pytest

from review_app.fields import count_inputs, count_payload, format_value
from review_app.selection import first_active, next_pending, step
from schemas.numbers import count_bounds_error


@pytest.mark.parametrize(
    ("qualifier", "args", "expected"),
    [
        ("exact", {"n": 21}, (21, 21, 21)),
        ("at_least", {"n": 7}, (7, 7, None)),
        ("more_than", {"n": 50}, (50, 51, None)),
        ("less_than", {"n": 10}, (None, 1, 9)),
        ("approx", {"n": 30}, (30, None, None)),
        ("range", {"low": 5, "high": 9}, (None, 5, 9)),
        ("vague", {"scale": "hundreds (مئات)", "vague_term": "مئات"}, (100, 100, 999)),
        ("unknown", {}, (None, None, None)),
    ],
)
def test_count_payload_follows_the_codebook_table(qualifier, args, expected):
    count = count_payload(qualifier, **args)
    assert (count["best"], count["low"], count["high"]) == expected
    assert count["qualifier"] == qualifier
    assert count_bounds_error(*expected, qualifier) is None
    start = count_inputs(count)
    assert count_payload(**start) == count, "the widgets start from the stored value"


@pytest.mark.parametrize(
    ("qualifier", "args", "message"),
    [
        ("exact", {}, "needs its number"),
        ("range", {"low": 9}, "both ends"),
        ("range", {"low": 9, "high": 5}, "must not exceed"),
        ("vague", {"vague_term": "عشرات"}, "scale"),
        ("vague", {"scale": "tens (عشرات)"}, "vague word"),
    ],
)
def test_an_incomplete_count_is_refused_with_a_reason(qualifier, args, message):
    with pytest.raises(ValueError, match=message):
        count_payload(qualifier, **args)


def test_values_read_at_a_glance():
    assert format_value("count", count_payload("at_least", n=7)) == "≥ 7"
    assert format_value("count", count_payload("less_than", n=10)) == "< 10"
    assert format_value("location", {"name": "ذيبان", "admin1": None, "country": "SY"}) == (
        "ذيبان · SY"
    )
    assert format_value("scope", {"kind": "cumulative", "since": "2026-01-01", "until": None}) == (
        "cumulative · since 2026-01-01"
    )
    assert format_value("actor1", None) == "—"


def test_moving_through_values():
    order = [10, 11, 12, 13]
    assert step(order, 11, 1) == 12 and step(order, 13, 1) == 13 and step(order, 10, -1) == 10
    assert step(order, 99, 1) == 10 and step([], None, 1) is None
    assert next_pending(order, 12, {10, 13}) == 13
    assert next_pending(order, 13, {10, 11}) == 10, "wraps round to the first pending value"
    assert next_pending(order, 13, set()) == 13
    assert first_active(order, 12, {11}) == 12
    assert first_active(order, 99, {11, 13}) == 11
    assert first_active(order, None, set()) == 10
