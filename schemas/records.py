"""Grounded records: what both backends produce and the database stores.

A record (figure or event) is a list of values; each value is one field of the
codebook with its citation. The value is the unit of review, so everything
downstream (review app, export, evaluation) works on `GroundedValue`s and
only this module knows how a model's flat output maps onto them.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict

from schemas.actors import canonical_actor
from schemas.codebook import MatchKind, RecordKind
from schemas.extraction import EventOut, FigureOut

FIGURE_FIELDS = ("category", "count", "unit", "group", "scope", "part_of", "event", "reported_by")
EVENT_FIELDS = ("event_type", "date", "location", "actor1", "actor2", "reported_by")
FIELDS: dict[RecordKind, tuple[str, ...]] = {
    RecordKind.FIGURE: FIGURE_FIELDS,
    RecordKind.EVENT: EVENT_FIELDS,
}
# Rejecting one of these rejects the whole record (CODEBOOK.md section 4).
CORE_FIELDS: dict[RecordKind, frozenset[str]] = {
    RecordKind.FIGURE: frozenset({"category", "count"}),
    RecordKind.EVENT: frozenset({"event_type"}),
}


class Citation(BaseModel):
    """Where a value's supporting words stand in the article.

    `quote` is what the model (or annotator) wrote; `source` is the article's
    own substring at [start, end). `match` is None when nothing was cited.
    """

    model_config = ConfigDict(frozen=True)

    quote: str | None = None
    source: str | None = None
    start: int | None = None
    end: int | None = None
    match: MatchKind | None = None
    score: float = 0.0

    def check(self, text: str) -> None:
        """Refuse a span that breaks the invariant text[start:end] == source."""
        if self.start is None and self.end is None and self.source is None:
            return
        if (
            self.start is None
            or self.end is None
            or not 0 <= self.start <= self.end <= len(text)
            or text[self.start : self.end] != self.source
        ):
            raise ValueError(
                f"span [{self.start}, {self.end}) does not hold {self.source!r} in the text"
            )


class GroundedValue(BaseModel):
    field: str
    value: Any
    citation: Citation


class GroundedRecord(BaseModel):
    kind: RecordKind
    key: str
    evidence: Citation
    values: list[GroundedValue]

    def value(self, field: str) -> Any:
        return next((v.value for v in self.values if v.field == field), None)


def count_value(best, low, high, qualifier, vague_term) -> dict[str, Any]:
    return {
        "best": best,
        "low": low,
        "high": high,
        "qualifier": str(qualifier),
        "vague_term": vague_term,
    }


def figure_values(f: FigureOut) -> list[tuple[str, Any, str | None]]:
    """(field, value, quote) for each value of a model-filled figure."""
    return [
        ("category", f.category.value, f.category_quote),
        ("count", count_value(f.best, f.low, f.high, f.qualifier, f.vague_term), f.count_quote),
        ("unit", f.unit.value, f.unit_quote),
        ("group", {"actor": canonical_actor(f.actor), "subgroup": f.subgroup}, f.group_quote),
        ("scope", {"kind": f.scope.value, "since": f.since, "until": f.until}, f.scope_quote),
        ("part_of", f.part_of, f.part_of_quote),
        ("event", f.event, None),
        ("reported_by", f.reported_by, f.reported_by_quote),
    ]


def event_values(e: EventOut) -> list[tuple[str, Any, str | None]]:
    """(field, value, quote) for each value of a model-filled event."""
    return [
        ("event_type", e.event_type.value, e.trigger_quote),
        ("date", {"value": e.date, "precision": e.date_precision.value}, e.date_quote),
        (
            "location",
            {"name": e.location_name, "admin1": e.admin1, "country": e.country},
            e.location_quote,
        ),
        ("actor1", canonical_actor(e.actor1), e.actor1_quote),
        ("actor2", canonical_actor(e.actor2), e.actor2_quote),
        ("reported_by", e.reported_by, e.reported_by_quote),
    ]
