"""Storing what a backend found, with its provenance.

A document's extraction (the Extraction row, its records and values) is
written in one transaction by the caller, so a killed batch job leaves either
the whole document or nothing.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Subquery, func, insert
from sqlmodel import Session, col, select

from db.models import Document, Extraction, Record, Run, Value, utcnow
from schemas.records import Citation, GroundedRecord, GroundedValue


@dataclass
class Provenance:
    """What an extraction cost and how it went; filled in by the backend."""

    attempts: list[dict[str, Any]] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0


def start_run(session: Session, **settings: Any) -> Run:
    run = Run(**settings)
    session.add(run)
    session.flush()
    return run


def finish_run(session: Session, run: Run, status: str) -> None:
    run.finished_at = utcnow()
    run.status = status
    session.add(run)


def already_extracted(session: Session, document: Document, run: Run) -> bool:
    """Whether this text was extracted with the same prompt, schema and model."""
    query = select(Extraction.id).where(
        Extraction.text_sha256 == document.sha256,
        Extraction.prompt_version == run.prompt_version,
        Extraction.schema_version == run.schema_version,
        Extraction.model == run.model,
        Extraction.status == "ok",
    )
    return session.exec(query).first() is not None


def _value_fields(document: Document, record_id: int, value: GroundedValue) -> dict[str, Any]:
    cite = value.citation
    cite.check(document.text)
    return {
        "record_id": record_id,
        "document_id": document.id,
        "field": value.field,
        "model_value": value.value,
        "model_quote": cite.quote,
        "model_start": cite.start,
        "model_end": cite.end,
        "match": cite.match,
        "score": cite.score,
        "value": value.value,
        "quote": cite.quote,
        "source": cite.source,
        "start": cite.start,
        "end": cite.end,
    }


def _record_fields(
    document: Document, grounded: GroundedRecord, extraction_id: int | None, origin: str
) -> dict[str, Any]:
    evidence: Citation = grounded.evidence
    evidence.check(document.text)
    return {
        "document_id": document.id,
        "extraction_id": extraction_id,
        "kind": grounded.kind,
        "key": grounded.key,
        "origin": origin,
        "evidence_quote": evidence.quote,
        "evidence_source": evidence.source,
        "evidence_start": evidence.start,
        "evidence_end": evidence.end,
        "evidence_match": evidence.match,
    }


def add_record(
    session: Session,
    document: Document,
    grounded: GroundedRecord,
    extraction_id: int | None = None,
    origin: str = "model",
) -> Record:
    """Write one record and its values; refuses any span that breaks the invariant."""
    record = Record(**_record_fields(document, grounded, extraction_id, origin))
    values = [_value_fields(document, 0, v) for v in grounded.values]
    session.add(record)
    session.flush()
    session.add_all([Value(**{**fields, "record_id": record.id}) for fields in values])
    return record


def store_extraction(
    session: Session,
    document: Document,
    run: Run,
    records: list[GroundedRecord],
    provenance: Provenance,
    status: str = "ok",
    error: str | None = None,
) -> Extraction:
    """Record one document's extraction and its records (the caller commits).

    Every span is checked before anything is written; records and values then
    go in as two multi-row inserts, since a batch job stores thousands of
    documents with a hundred values each.
    """
    rows = [_record_fields(document, grounded, None, "model") for grounded in records]
    values = [[_value_fields(document, 0, v) for v in grounded.values] for grounded in records]
    extraction = Extraction(
        run_id=run.id,
        document_id=document.id,
        text_sha256=document.sha256,
        backend=run.backend,
        model=run.model,
        prompt_version=run.prompt_version,
        schema_version=run.schema_version,
        status=status,
        error=error,
        attempts=provenance.attempts,
        prompt_tokens=provenance.prompt_tokens,
        completion_tokens=provenance.completion_tokens,
        cached_tokens=provenance.cached_tokens,
        cost_usd=provenance.cost_usd,
        latency_s=provenance.latency_s,
    )
    session.add(extraction)
    session.flush()
    if rows:
        for row in rows:
            row["extraction_id"] = extraction.id
        # Core inserts on the tables: the ORM's bookkeeping is not needed for rows
        # that are written once and read back by query.
        records_table, values_table = Record.__table__, Value.__table__
        inserted = insert(records_table).returning(records_table.c.id, sort_by_parameter_order=True)
        ids = session.execute(inserted, rows).scalars().all()
        value_rows = [
            {**fields, "record_id": record_id}
            for record_id, fields_of_record in zip(ids, values, strict=True)
            for fields in fields_of_record
        ]
        if value_rows:
            session.execute(insert(values_table), value_rows)
    return extraction


def latest_extraction(session: Session, document_id: int) -> Extraction | None:
    return session.exec(
        select(Extraction)
        .where(Extraction.document_id == document_id, Extraction.status == "ok")
        .order_by(col(Extraction.id).desc())
    ).first()


def update_grounding(
    session: Session, extraction: Extraction, records: list[GroundedRecord]
) -> tuple[int, int]:
    """Give an extraction's stored records new citations for the same quotes (a re-grounding).

    Records are matched by key and values by field. A value nobody has decided
    takes the new span and its version grows, so a review screen showing the
    old span cannot write over it; a decided value keeps its reviewed span and
    only the model's citation is updated. Returns (values changed, records or
    values that found no stored counterpart).
    """
    document = session.get(Document, extraction.document_id)
    stored = {
        r.key: r for r in session.exec(select(Record).where(Record.extraction_id == extraction.id))
    }
    changed = unmatched = 0
    for grounded in records:
        record = stored.get(grounded.key)
        if record is None or record.kind != grounded.kind:
            unmatched += 1
            continue
        evidence = grounded.evidence
        evidence.check(document.text)
        record.evidence_source, record.evidence_start = evidence.source, evidence.start
        record.evidence_end, record.evidence_match = evidence.end, evidence.match
        session.add(record)
        rows = {v.field: v for v in session.exec(select(Value).where(Value.record_id == record.id))}
        for value in grounded.values:
            row = rows.get(value.field)
            if row is None:
                unmatched += 1
                continue
            cite = value.citation
            cite.check(document.text)
            before = (row.model_start, row.model_end, row.match, row.score)
            if before == (cite.start, cite.end, cite.match, cite.score):
                continue
            row.model_start, row.model_end, row.match, row.score = (
                cite.start,
                cite.end,
                cite.match,
                cite.score,
            )
            if row.decision is None:
                row.source, row.start, row.end = cite.source, cite.start, cite.end
                row.version += 1
            session.add(row)
            changed += 1
    return changed, unmatched


def latest_extractions() -> Subquery:
    """Each document's newest successful extraction: (document_id, extraction_id)."""
    return (
        select(Extraction.document_id, func.max(Extraction.id).label("extraction_id"))
        .where(Extraction.status == "ok")
        .group_by(Extraction.document_id)
        .subquery("latest")
    )
