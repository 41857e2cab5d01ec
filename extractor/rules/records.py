"""Turning the rules' figures and events into grounded records, the form both
backends produce, so nothing downstream can tell them apart but provenance.

Every value cites the words that decided it (exact spans by construction);
a value decided by default (persons, incident) cites nothing. A figure's
evidence is its clause, widened to take in the words its values cite when
they stand elsewhere in the sentence.
"""

from functools import partial
from typing import Any

from extractor.rules.events import Event
from extractor.rules.figures import Figure
from extractor.rules.text import Article, Span
from schemas.codebook import RecordKind
from schemas.records import GroundedRecord, GroundedValue, count_value


def _cover(base: Span, spans: list[Span | None], within: Span) -> Span:
    """`base` widened to cover the spans that lie inside `within`."""
    start, end = base
    for span in spans:
        if span and within[0] <= span[0] and span[1] <= within[1]:
            start, end = min(start, span[0]), max(end, span[1])
    return start, end


def _value(article: Article, field: str, value: Any, span: Span | None) -> GroundedValue:
    return GroundedValue(field=field, value=value, citation=article.cite(span))


def _event_of(figure: Figure, events: list[Event], keys: dict[int, str]) -> str | None:
    """The event a figure reports on: the nearest trigger in its sentence, for
    figures about one incident."""
    if figure.scope != "incident":
        return None
    same = [e for e in events if e.sentence == figure.sentence]
    if not same:
        return None
    nearest = min(same, key=lambda e: abs(e.trigger[0] - figure.start))
    return keys[id(nearest)]


def figure_record(
    article: Article, f: Figure, key: str, parent: str | None, event: str | None
) -> GroundedRecord:
    p = f.parsed
    evidence = _cover(
        f.clause,
        [f.count, f.category_span, f.unit_span, f.group_span, f.parent_span, *f.extra],
        f.sentence,
    )
    cite = partial(_value, article)
    return GroundedRecord(
        kind=RecordKind.FIGURE,
        key=key,
        evidence=article.cite(article.trimmed(evidence)),
        values=[
            cite("category", f.category, f.category_span),
            cite(
                "count",
                count_value(p.best, p.low, p.high, p.qualifier, p.vague_term),
                f.count,
            ),
            cite("unit", f.unit, f.unit_span),
            cite("group", {"actor": f.actor, "subgroup": f.subgroup}, f.group_span),
            cite("scope", {"kind": f.scope, "since": f.since, "until": f.until}, f.scope_span),
            cite("part_of", parent, f.parent_span if parent else None),
            cite("event", event, None),
            cite("reported_by", f.source, f.source_span),
        ],
    )


def event_record(article: Article, e: Event, key: str) -> GroundedRecord:
    name = e.name(article)
    actors = [*e.actors, (None, None), (None, None)]
    evidence = _cover(e.clause, [e.place_span], e.sentence)
    date = {"value": e.date.value.isoformat(), "precision": e.date.precision} if e.date else None
    return GroundedRecord(
        kind=RecordKind.EVENT,
        key=key,
        evidence=article.cite(article.trimmed(evidence)),
        values=[
            _value(article, "event_type", e.type, e.trigger),
            _value(
                article,
                "date",
                date or {"value": None, "precision": "unknown"},
                (e.date.start, e.date.end) if e.date else None,
            ),
            _value(
                article,
                "location",
                {"name": name, "admin1": e.place.admin1, "country": e.place.country},
                e.place_span,
            ),
            _value(article, "actor1", actors[0][0], actors[0][1]),
            _value(article, "actor2", actors[1][0], actors[1][1]),
            _value(article, "reported_by", e.source, e.source_span),
        ],
    )


def grounded_records(
    article: Article, figures: list[Figure], events: list[Event]
) -> list[GroundedRecord]:
    event_keys = {id(e): f"E{n}" for n, e in enumerate(events, 1)}
    figure_keys = {id(f): f"F{n}" for n, f in enumerate(figures, 1)}
    records = []
    for f in figures:
        parent = figure_keys.get(id(f.parent)) if f.parent is not None else None
        event = _event_of(f, events, event_keys)
        records.append(figure_record(article, f, figure_keys[id(f)], parent, event))
    records += [event_record(article, e, event_keys[id(e)]) for e in events]
    return records
