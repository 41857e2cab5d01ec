"""Typed edit widgets, one set per codebook field.

Each widget starts from the value being edited and returns the payload an
edit stores (the same shape the backends store), or raises ValueError with a
message for the reviewer. Widget keys carry the value's id and version, so a
value refreshed after a refused write starts from its fresh state.
"""

from datetime import date
from typing import Any

import streamlit as st

from review_app.fields import NEEDS_N, VAGUE_SCALES, count_inputs, count_payload
from schemas.actors import CANONICAL_ACTORS
from schemas.codebook import DatePrecision, EventType, FigureCategory, Qualifier, ScopeKind, Unit

_NONE = "(none)"
_OTHER_ACTOR = "other (type it)"
_EARLIEST, _LATEST = date(1900, 1, 1), date(2100, 12, 31)


def _choice(label: str, options: list[str], current: Any, key: str) -> str:
    index = options.index(current) if current in options else 0
    return st.selectbox(label, options, index=index, key=key)


def _text(label: str, current: Any, key: str) -> str | None:
    typed = st.text_input(label, value=current or "", key=key).strip()
    return typed or None


def _date(label: str, current: str | None, key: str) -> str | None:
    try:
        start = date.fromisoformat(current) if current else None
    except ValueError:
        start = None
    picked = st.date_input(
        label,
        value=start,
        min_value=_EARLIEST,
        max_value=_LATEST,
        format="YYYY-MM-DD",
        key=key,
    )
    return picked.isoformat() if picked else None


def actor(label: str, current: str | None, key: str) -> str | None:
    """A canonical actor from the codebook's list, or any other name typed in."""
    options = [_NONE, *CANONICAL_ACTORS, _OTHER_ACTOR]
    start = _NONE if current is None else current if current in options else _OTHER_ACTOR
    picked = _choice(label, options, start, f"{key}-pick")
    if picked == _OTHER_ACTOR:
        return _text(f"{label} (as written)", current if start == _OTHER_ACTOR else "", key)
    return None if picked == _NONE else picked


def count(current: dict[str, Any] | None, key: str) -> dict[str, Any]:
    """Qualifier first, then only the numbers that qualifier needs."""
    start = count_inputs(current)
    qualifiers = [q.value for q in Qualifier]
    qualifier = Qualifier(_choice("qualifier", qualifiers, start["qualifier"], f"{key}-q"))
    n = low = high = term = scale = None
    if qualifier in NEEDS_N:
        n = st.number_input("N", min_value=0, value=start["n"], step=1, key=f"{key}-n")
    elif qualifier == Qualifier.RANGE:
        low = st.number_input("from", min_value=0, value=start["low"], step=1, key=f"{key}-lo")
        high = st.number_input("to", min_value=0, value=start["high"], step=1, key=f"{key}-hi")
    elif qualifier == Qualifier.VAGUE:
        scale = _choice("scale", list(VAGUE_SCALES), start["scale"], f"{key}-scale")
        term = _text("vague word as written", start["vague_term"], f"{key}-term")
    return count_payload(qualifier, n, low, high, term, scale)


def value_editor(field: str, current: Any, key: str, figure_keys: list[str], event_keys: list[str]):
    """The widgets for one field; returns the edited payload."""
    if field in {"group", "scope", "date", "location"}:
        return _compound(field, current or {}, key)
    if field == "category":
        return _choice("category", [c.value for c in FigureCategory], current, key)
    if field == "event_type":
        return _choice("event type", [e.value for e in EventType], current, key)
    if field == "unit":
        return _choice("unit", [u.value for u in Unit], current, key)
    if field == "count":
        return count(current, key)
    if field in {"actor1", "actor2"}:
        return actor(field, current, key)
    if field == "part_of":
        return _reference("subset of figure", figure_keys, current, key)
    if field == "event":
        return _reference("belongs to event", event_keys, current, key)
    return _text(field.replace("_", " "), current, key)


def _compound(field: str, current: dict[str, Any], key: str) -> dict[str, Any]:
    """Fields whose value is an object of several parts."""
    if field == "group":
        return {
            "actor": actor("whose people", current.get("actor"), f"{key}-actor"),
            "subgroup": _text(
                "subgroup (children, women, leaders, ...)", current.get("subgroup"), f"{key}-sub"
            ),
        }
    if field == "scope":
        kind = _choice("scope", [s.value for s in ScopeKind], current.get("kind"), f"{key}-kind")
        return {
            "kind": kind,
            "since": _date("since", current.get("since"), f"{key}-since"),
            "until": _date("until", current.get("until"), f"{key}-until"),
        }
    if field == "date":
        precisions = [p.value for p in DatePrecision]
        return {
            "value": _date("date", current.get("value"), f"{key}-date"),
            "precision": _choice("precision", precisions, current.get("precision"), f"{key}-p"),
        }
    name = _text("place as written", current.get("name"), f"{key}-name")
    admin1 = _text("governorate (English)", current.get("admin1"), f"{key}-admin1")
    country = _text("country (ISO alpha-2, e.g. SY, IQ)", current.get("country"), f"{key}-cc")
    if country and not (len(country) == 2 and country.isascii() and country.isalpha()):
        raise ValueError("country must be a two-letter ISO code such as SY or IQ")
    return {"name": name, "admin1": admin1, "country": country.upper() if country else None}


def _reference(label: str, keys: list[str], current: str | None, key: str) -> str | None:
    picked = _choice(label, [_NONE, *keys], current, key)
    return None if picked == _NONE else picked
