"""Reading whole documents for export, a page at a time.

An export touches every row of a document (its extractions, records, values,
audit log, double-review judgements). Loading them per document costs a
handful of queries each; here they are loaded for a page of documents in one
query per table, so exporting 200,000 values takes seconds and memory stays
flat however large the corpus.
"""

import json
from collections import defaultdict, namedtuple
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from itertools import islice

from sqlalchemy import JSON, Table, Text, TypeDecorator, type_coerce
from sqlmodel import Session, col, select
from sqlmodel.sql.sqltypes import UTCDateTime

from db.models import AuditEntry, Document, Extraction, Judgement, Record, ReviewCopy, Run, Value
from db.review import RecordView
from db.reviewed import documents_to_export
from schemas.codebook import DocState, Origin


@dataclass
class DocumentDump:
    """A document and everything stored about it.

    `views` are the records under review (the latest successful extraction's
    and those people added), as `db.review.current_records` defines them;
    `extractions` are all of the document's extractions, oldest first.
    """

    document: Document
    extractions: list[Extraction]
    runs: dict[int, Run]
    views: list[RecordView]
    audit: list[AuditEntry] = field(default_factory=list)
    copies: list[ReviewCopy] = field(default_factory=list)
    judgements: dict[int, list[Judgement]] = field(default_factory=dict)


def _grouped(rows, key) -> dict[int, list]:
    out: dict[int, list] = defaultdict(list)
    for row in rows:
        out[key(row)].append(row)
    return out


class _ScannedJSON(TypeDecorator):
    """JSON read with the C scanner directly, skipping `json.loads`'s wrappers.

    An export decodes a million small JSON values; the wrappers cost more
    than the parsing. SQLite hands over the stored text; PostgreSQL's driver
    hands JSON over already parsed, so it is left as it comes.
    """

    impl = Text
    cache_ok = True
    _scan = json.JSONDecoder().scan_once

    def process_result_value(self, value, dialect):
        if value is None or dialect.name != "sqlite":
            return value
        return self._scan(value, 0)[0]


class _UTCStamp(TypeDecorator):
    """A stored UTC time read with `datetime.fromisoformat` (C) rather than a regex and
    a `replace`: an export reads hundreds of thousands of them. Same values as
    sqlmodel's UTCDateTime: aware, in UTC."""

    impl = Text
    cache_ok = True

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, str):  # SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff", in UTC
            return datetime.fromisoformat(value + "+00:00")
        return value.astimezone(UTC)


def _read_as(column):
    if isinstance(column.type, JSON):
        return type_coerce(column, _ScannedJSON).label(column.name)
    if isinstance(column.type, UTCDateTime):
        return type_coerce(column, _UTCStamp).label(column.name)
    return column


@cache
def _row_type(table: Table) -> type:
    return namedtuple(f"{table.name}_row", [c.name for c in table.c])


def _in(session: Session, model, column, ids: list[int]) -> list:
    """Plain named tuples, not ORM objects or SQLAlchemy rows.

    They read the same (`row.field`), are made at a fraction of an ORM
    object's cost, and a field is read several times faster than from a
    SQLAlchemy row, which counts when a writer reads a million of them.
    """
    table = model.__table__
    columns = [_read_as(c) for c in table.c]
    query = select(*columns).where(col(column).in_(ids)).order_by(table.c.id)
    make = _row_type(table)._make
    return [make(row) for row in session.connection().execute(query)]


def _under_review(records: list[Record], extractions: list[Extraction]) -> list[Record]:
    """The same rule as `db.review.current_records`, applied to rows already loaded."""
    ok = [e.id for e in extractions if e.status == "ok"]
    latest = max(ok) if ok else None
    return [r for r in records if r.origin == Origin.HUMAN or r.extraction_id == latest]


def _page(session: Session, documents: list[Document], history: bool) -> list[DocumentDump]:
    ids = [d.id for d in documents]
    extractions = _grouped(
        _in(session, Extraction, Extraction.document_id, ids), lambda e: e.document_id
    )
    run_ids = sorted({e.run_id for rows in extractions.values() for e in rows})
    runs = {r.id: r for r in _in(session, Run, Run.id, run_ids)} if run_ids else {}
    records = _grouped(_in(session, Record, Record.document_id, ids), lambda r: r.document_id)
    values = _grouped(_in(session, Value, Value.document_id, ids), lambda v: v.record_id)
    audit = (
        _grouped(_in(session, AuditEntry, AuditEntry.document_id, ids), lambda a: a.document_id)
        if history
        else {}
    )
    copies = _grouped(
        _in(session, ReviewCopy, ReviewCopy.document_id, ids), lambda c: c.document_id
    )
    judgements = (
        _grouped(_in(session, Judgement, Judgement.document_id, ids), lambda j: j.value_id)
        if history
        else {}
    )
    dumps = []
    for document in documents:
        own = extractions.get(document.id, [])
        views = [
            RecordView(r, values.get(r.id, [])) for r in _under_review(records[document.id], own)
        ]
        dumps.append(
            DocumentDump(
                document=document,
                extractions=own,
                runs={e.run_id: runs[e.run_id] for e in own},
                views=views,
                audit=audit.get(document.id, []),
                copies=sorted(copies.get(document.id, []), key=lambda c: c.slot),
                judgements={
                    v.id: judgements[v.id]
                    for view in views
                    for v in view.values
                    if v.id in judgements
                },
            )
        )
    return dumps


def document_dumps(
    session: Session,
    state: str = DocState.DONE,
    since: datetime | None = None,
    page: int = 200,
    history: bool = True,
) -> Iterator[DocumentDump]:
    """Documents to export (as `db.reviewed.documents_to_export` picks them), fully loaded.

    `history=False` leaves out the audit log and the double-review judgements,
    which only the complete (`jsonl`) export carries, and halves the reading.
    """
    documents = documents_to_export(session, state, since, page)
    while batch := list(islice(documents, page)):
        yield from _page(session, batch, history)
