"""Reading a document's records as they stand after review.

This is where the review's outcome is defined once: rejected records drop
out, rejected values become null, edited values replace the model's, and
documents nobody reviewed yet read as their latest extraction.
"""

from collections.abc import Iterator

from sqlmodel import Session, col, select

from db.models import Document, Record, Value
from db.review import RecordView, current_records, record_views
from schemas.codebook import Decision, DocState, MatchKind, RecordKind
from schemas.records import Citation, GroundedRecord, GroundedValue


def _final(value: Value) -> GroundedValue:
    if value.decision == Decision.REJECTED:
        return GroundedValue(field=value.field, value=None, citation=Citation())
    return GroundedValue(
        field=value.field,
        value=value.value,
        citation=Citation(
            quote=value.quote,
            source=value.source,
            start=value.start,
            end=value.end,
            match=MatchKind(value.match) if value.match else None,
            score=value.score,
        ),
    )


def _proposed(value: Value, text: str) -> GroundedValue:
    """A value as the backend produced it: review edits do not leak into a run's score."""
    has_span = value.model_start is not None and value.model_end is not None
    return GroundedValue(
        field=value.field,
        value=value.model_value,
        citation=Citation(
            quote=value.model_quote,
            source=text[value.model_start : value.model_end] if has_span else None,
            start=value.model_start,
            end=value.model_end,
            match=MatchKind(value.match) if value.match else None,
            score=value.score,
        ),
    )


def _grounded(record: Record, values: list[GroundedValue]) -> GroundedRecord:
    return GroundedRecord(
        kind=RecordKind(record.kind),
        key=record.key,
        evidence=Citation(
            quote=record.evidence_quote,
            source=record.evidence_source,
            start=record.evidence_start,
            end=record.evidence_end,
            match=MatchKind(record.evidence_match) if record.evidence_match else None,
        ),
        values=values,
    )


def reviewed_records(session: Session, document_id: int) -> list[GroundedRecord]:
    """The document's records with final values, rejected records left out."""
    return final_records(current_records(session, document_id))


def final_records(views: list[RecordView]) -> list[GroundedRecord]:
    """Records under review (however they were loaded) as the review left them."""
    return [
        _grounded(view.record, [_final(v) for v in view.values])
        for view in views
        if not view.record.rejected
    ]


def proposed_records(session: Session, extraction_id: int, text: str) -> list[GroundedRecord]:
    """An extraction's records exactly as its backend proposed them, before any review."""
    views = record_views(session, Record.extraction_id == extraction_id)
    return [_grounded(view.record, [_proposed(v, text) for v in view.values]) for view in views]


def documents_to_export(
    session: Session, state: str = DocState.DONE, since: str | None = None, page: int = 500
) -> Iterator[Document]:
    """Documents in id order, a page at a time, so an export's memory stays flat."""
    last_id = 0
    while True:
        query = select(Document).where(Document.id > last_id).order_by(col(Document.id))
        if state != "all":
            query = query.where(Document.state == state)
        if since:
            query = query.where(col(Document.done_at) >= since)
        batch = session.exec(query.limit(page)).all()
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id
        session.expunge_all()
