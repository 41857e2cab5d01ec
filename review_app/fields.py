"""What each codebook field's value looks like to a reviewer, and how edits become values.

The payload shapes are the ones `schemas.records.figure_values` and
`event_values` store; this module only reads and builds them, so an edited
value is indistinguishable from a model's.
"""

from typing import Any

from schemas.codebook import DatePrecision, Qualifier, RecordKind, ScopeKind, Unit
from schemas.numbers import count_bounds_error

# The vague quantities' fixed readings (CODEBOOK.md, count normalisation): (best = low, high).
VAGUE_SCALES: dict[str, tuple[int, int]] = {
    "tens (عشرات)": (10, 99),
    "hundreds (مئات)": (100, 999),
    "thousands (آلاف)": (1000, 9999),
    "tens of thousands (عشرات الآلاف)": (10000, 99999),
}

# What a record a reviewer adds holds in the fields they did not fill.
DEFAULTS: dict[RecordKind, dict[str, Any]] = {
    RecordKind.FIGURE: {
        "unit": Unit.PERSONS.value,
        "group": {"actor": None, "subgroup": None},
        "scope": {"kind": ScopeKind.INCIDENT.value, "since": None, "until": None},
        "part_of": None,
        "event": None,
        "reported_by": None,
    },
    RecordKind.EVENT: {
        "date": {"value": None, "precision": DatePrecision.UNKNOWN.value},
        "location": {"name": None, "admin1": None, "country": None},
        "actor1": None,
        "actor2": None,
        "reported_by": None,
    },
}

NONE = "—"

# Qualifiers whose count is read from one number N the text states.
NEEDS_N = frozenset(
    {
        Qualifier.EXACT,
        Qualifier.AT_LEAST,
        Qualifier.MORE_THAN,
        Qualifier.LESS_THAN,
        Qualifier.APPROX,
    }
)


def count_payload(
    qualifier: Qualifier | str,
    n: int | None = None,
    low: int | None = None,
    high: int | None = None,
    vague_term: str | None = None,
    scale: str | None = None,
) -> dict[str, Any]:
    """Build a count from what the reviewer typed, following the codebook's table.

    `n` is the number the text states (N in "at least N", "less than N");
    `low`/`high` are a range's ends; `scale` picks a vague word's reading.
    Raises ValueError with a message for the reviewer when something is missing.
    """
    qualifier = Qualifier(qualifier)
    if qualifier in NEEDS_N and n is None:
        raise ValueError(f"a count with qualifier {qualifier.value} needs its number")
    best = lo = hi = None
    if qualifier == Qualifier.EXACT:
        best = lo = hi = n
    elif qualifier == Qualifier.AT_LEAST:
        best = lo = n
    elif qualifier == Qualifier.MORE_THAN:
        best, lo = n, n + 1
    elif qualifier == Qualifier.LESS_THAN:
        lo, hi = 1, n - 1
    elif qualifier == Qualifier.APPROX:
        best = n
    elif qualifier == Qualifier.RANGE:
        if low is None or high is None:
            raise ValueError("a range needs both ends")
        lo, hi = low, high
    elif qualifier == Qualifier.VAGUE:
        if scale not in VAGUE_SCALES:
            raise ValueError("a vague count needs its scale (tens, hundreds, ...)")
        if not (vague_term or "").strip():
            raise ValueError("a vague count keeps the vague word as written")
        best = lo = VAGUE_SCALES[scale][0]
        hi = VAGUE_SCALES[scale][1]
    error = count_bounds_error(best, lo, hi, qualifier)
    if error:
        raise ValueError(error)
    term = vague_term.strip() if qualifier == Qualifier.VAGUE and vague_term else None
    return {"best": best, "low": lo, "high": hi, "qualifier": qualifier.value, "vague_term": term}


def count_inputs(count: dict[str, Any] | None) -> dict[str, Any]:
    """The inverse of `count_payload`: what the edit widgets start from."""
    count = count or {}
    qualifier = Qualifier(count.get("qualifier") or Qualifier.UNKNOWN)
    best, low, high = count.get("best"), count.get("low"), count.get("high")
    n = high + 1 if qualifier == Qualifier.LESS_THAN and high is not None else best
    scale = next((name for name, (lo, _) in VAGUE_SCALES.items() if lo == best), None)
    return {
        "qualifier": qualifier,
        "n": n,
        "low": low,
        "high": high,
        "vague_term": count.get("vague_term"),
        "scale": scale,
    }


def format_count(count: dict[str, Any] | None) -> str:
    if not count:
        return NONE
    q = count.get("qualifier")
    best, low, high = count.get("best"), count.get("low"), count.get("high")
    match q:
        case Qualifier.EXACT:
            return f"{best}"
        case Qualifier.AT_LEAST:
            return f"≥ {best}"
        case Qualifier.MORE_THAN:
            return f"> {best}"
        case Qualifier.LESS_THAN:
            return f"< {high + 1 if high is not None else '?'}"
        case Qualifier.APPROX:
            return f"≈ {best}"
        case Qualifier.RANGE:
            return f"{low}–{high}"
        case Qualifier.VAGUE:
            return f"{count.get('vague_term') or 'vague'} ({low}–{high})"
    return "no number"


def _joined(*parts: Any) -> str:
    shown = [str(p) for p in parts if p not in (None, "")]
    return " · ".join(shown) if shown else NONE


def format_value(field: str, value: Any) -> str:
    """One line a reviewer can read at a glance."""
    if value is None:
        return NONE
    if field == "count":
        return format_count(value)
    if field == "group":
        return _joined(value.get("actor"), value.get("subgroup"))
    if field == "scope":
        since = f"since {value['since']}" if value.get("since") else None
        until = f"until {value['until']}" if value.get("until") else None
        return _joined(value.get("kind"), since, until)
    if field == "date":
        return _joined(value.get("value"), value.get("precision"))
    if field == "location":
        return _joined(value.get("name"), value.get("admin1"), value.get("country"))
    return str(value)
