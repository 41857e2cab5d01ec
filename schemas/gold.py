"""The interchange gold format, version 1 (../shared/data/README.md).

One `GoldDocument` per article. `gold-v1` export writes it, `athar eval`
reads it, and the conversions below are the only bridge between it and
grounded records, so the two cannot drift apart.
"""

from typing import Any

from pydantic import BaseModel, ConfigDict

from schemas.codebook import MatchKind, RecordKind
from schemas.records import Citation, GroundedRecord, GroundedValue, count_value

Span = tuple[int, int]


class _Gold(BaseModel):
    model_config = ConfigDict(extra="ignore")


class GoldFigure(_Gold):
    id: str
    evidence: str | None = None
    evidence_span: Span | None = None
    count_quote: str | None = None
    count_span: Span | None = None
    category: str
    best: int | None = None
    low: int | None = None
    high: int | None = None
    qualifier: str = "unknown"
    vague_term: str | None = None
    unit: str = "persons"
    actor: str | None = None
    subgroup: str | None = None
    scope: str = "incident"
    since: str | None = None
    until: str | None = None
    part_of: str | None = None
    event: str | None = None
    reported_by: str | None = None


class GoldEvent(_Gold):
    id: str
    evidence: str | None = None
    evidence_span: Span | None = None
    trigger_quote: str | None = None
    trigger_span: Span | None = None
    event_type: str
    date: str | None = None
    date_precision: str = "unknown"
    location_name: str | None = None
    location_quote: str | None = None
    location_span: Span | None = None
    admin1: str | None = None
    country: str | None = None
    actor1: str | None = None
    actor2: str | None = None
    reported_by: str | None = None


class GoldDocument(_Gold):
    doc_id: str
    text_sha256: str | None = None
    figures: list[GoldFigure] = []
    events: list[GoldEvent] = []


def _span(c: Citation) -> Span | None:
    return (c.start, c.end) if c.start is not None and c.end is not None else None


def gold_figure(record: GroundedRecord) -> GoldFigure:
    values = {v.field: v for v in record.values}
    count = (
        values["count"].value if "count" in values else count_value(*[None] * 4, "unknown", None)
    )
    group = (values.get("group") and values["group"].value) or {}
    scope = (values.get("scope") and values["scope"].value) or {}
    count_cite = values["count"].citation if "count" in values else Citation()
    return GoldFigure(
        id=record.key,
        evidence=record.evidence.source,
        evidence_span=_span(record.evidence),
        count_quote=count_cite.source,
        count_span=_span(count_cite),
        category=record.value("category") or "other",
        **{k: count[k] for k in ("best", "low", "high", "qualifier", "vague_term")},
        unit=record.value("unit") or "persons",
        actor=group.get("actor"),
        subgroup=group.get("subgroup"),
        scope=scope.get("kind") or "incident",
        since=scope.get("since"),
        until=scope.get("until"),
        part_of=record.value("part_of"),
        event=record.value("event"),
        reported_by=record.value("reported_by"),
    )


def gold_event(record: GroundedRecord) -> GoldEvent:
    values = {v.field: v for v in record.values}
    trigger = values["event_type"].citation if "event_type" in values else Citation()
    location_cite = values["location"].citation if "location" in values else Citation()
    date = record.value("date") or {}
    location = record.value("location") or {}
    return GoldEvent(
        id=record.key,
        evidence=record.evidence.source,
        evidence_span=_span(record.evidence),
        trigger_quote=trigger.source,
        trigger_span=_span(trigger),
        event_type=record.value("event_type") or "other",
        date=date.get("value"),
        date_precision=date.get("precision") or "unknown",
        location_name=location.get("name"),
        location_quote=location_cite.source,
        location_span=_span(location_cite),
        admin1=location.get("admin1"),
        country=location.get("country"),
        actor1=record.value("actor1"),
        actor2=record.value("actor2"),
        reported_by=record.value("reported_by"),
    )


def gold_document(doc_id: str, text_sha256: str, records: list[GroundedRecord]) -> GoldDocument:
    return GoldDocument(
        doc_id=doc_id,
        text_sha256=text_sha256,
        figures=[gold_figure(r) for r in records if r.kind == RecordKind.FIGURE],
        events=[gold_event(r) for r in records if r.kind == RecordKind.EVENT],
    )


def _cite(quote: str | None, span: Span | None) -> Citation:
    if quote is None or span is None:
        return Citation(quote=quote)
    return Citation(
        quote=quote, source=quote, start=span[0], end=span[1], match=MatchKind.EXACT, score=1.0
    )


def _value(field: str, value: Any, citation: Citation | None = None) -> GroundedValue:
    return GroundedValue(field=field, value=value, citation=citation or Citation())


def records_from_gold(doc: GoldDocument) -> list[GroundedRecord]:
    """Gold annotations as grounded records (quotes taken as exact at their spans)."""
    records = []
    for f in doc.figures:
        count = count_value(f.best, f.low, f.high, f.qualifier, f.vague_term)
        records.append(
            GroundedRecord(
                kind=RecordKind.FIGURE,
                key=f.id,
                evidence=_cite(f.evidence, f.evidence_span),
                values=[
                    _value("category", f.category),
                    _value("count", count, _cite(f.count_quote, f.count_span)),
                    _value("unit", f.unit),
                    _value("group", {"actor": f.actor, "subgroup": f.subgroup}),
                    _value("scope", {"kind": f.scope, "since": f.since, "until": f.until}),
                    _value("part_of", f.part_of),
                    _value("event", f.event),
                    _value("reported_by", f.reported_by),
                ],
            )
        )
    for e in doc.events:
        location = {"name": e.location_name, "admin1": e.admin1, "country": e.country}
        records.append(
            GroundedRecord(
                kind=RecordKind.EVENT,
                key=e.id,
                evidence=_cite(e.evidence, e.evidence_span),
                values=[
                    _value("event_type", e.event_type, _cite(e.trigger_quote, e.trigger_span)),
                    _value("date", {"value": e.date, "precision": e.date_precision}),
                    _value("location", location, _cite(e.location_quote, e.location_span)),
                    _value("actor1", e.actor1),
                    _value("actor2", e.actor2),
                    _value("reported_by", e.reported_by),
                ],
            )
        )
    return records
