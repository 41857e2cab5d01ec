"""Reading a document's records as they stand after review.

This is where the review's outcome is defined once: rejected records drop
out, rejected values become null, edited values replace the model's, and
documents nobody reviewed yet read as their latest extraction.
"""

from collections.abc import Iterator

from sqlmodel import Session, col, select

from db.models import Document, Value
from db.review import RecordView, current_records
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


def reviewed_records(session: Session, document_id: int) -> list[GroundedRecord]:
    """The document's records with final values, rejected records left out."""
    return final_records(current_records(session, document_id))


def final_records(views: list[RecordView]) -> list[GroundedRecord]:
    """Records under review (however they were loaded) as the review left them."""
    records = []
    for view in views:
        if view.record.rejected:
            continue
        r = view.record
        records.append(
            GroundedRecord(
                kind=RecordKind(r.kind),
                key=r.key,
                evidence=Citation(
                    quote=r.evidence_quote,
                    source=r.evidence_source,
                    start=r.evidence_start,
                    end=r.evidence_end,
                    match=MatchKind(r.evidence_match) if r.evidence_match else None,
                ),
                values=[_final(v) for v in view.values],
            )
        )
    return records


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
