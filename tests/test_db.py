"""The database layer on a real SQLite file and a real PostgreSQL server."""

import pytest
from sqlalchemy import inspect, text
from sqlmodel import Session, select

from db.documents import NewDocument, add_document, corpus_status, document_by_key
from db.engine import database_url, migrate, session_scope
from db.extractions import Provenance, already_extracted, start_run, store_extraction
from db.models import Document, Extraction, Record, Value
from schemas.codebook import MatchKind, RecordKind
from schemas.records import Citation, GroundedRecord, GroundedValue

ARTICLE = "قُتل ثلاثة مدنيين وأصيب خمسة آخرون في قصف على بلدة هجين أمس."


def cite(text: str, quote: str) -> Citation:
    start = text.index(quote)
    return Citation(
        quote=quote,
        source=quote,
        start=start,
        end=start + len(quote),
        match=MatchKind.EXACT,
        score=1.0,
    )


def figure(text: str, count_quote: str, count: dict) -> GroundedRecord:
    return GroundedRecord(
        kind=RecordKind.FIGURE,
        key="F1",
        evidence=cite(text, "قُتل ثلاثة مدنيين"),
        values=[
            GroundedValue(field="category", value="killed", citation=cite(text, "قُتل")),
            GroundedValue(field="count", value=count, citation=cite(text, count_quote)),
        ],
    )


def run_settings() -> dict:
    return {"backend": "rules", "model": "rules", "prompt_version": "p1", "schema_version": "1"}


def test_migrations_create_every_table_and_are_idempotent(any_engine):
    migrate(any_engine)  # a second time: nothing to do, nothing breaks
    tables = set(inspect(any_engine).get_table_names())
    assert {
        "documents",
        "runs",
        "extractions",
        "records",
        "record_values",
        "audit_log",
        "annotators",
        "alembic_version",
    } <= tables


def test_documents_are_stored_verbatim_and_deduplicated(any_engine):
    raw = "\u200fخبر  عاجل:\u00a0مقتل ٣ عناصر\r\n"
    with session_scope(any_engine) as session:
        first = add_document(session, NewDocument(text=raw, external_id="a-1"))
        again = add_document(session, NewDocument(text=raw, external_id="a-2"))
    assert first is not None and again is None
    with Session(any_engine) as session:
        stored = session.exec(select(Document)).one()
        assert stored.text == raw
        assert document_by_key(session, "a-1").id == stored.id
        assert document_by_key(session, stored.sha256).id == stored.id


def test_extraction_is_stored_with_values_and_skip_key(any_engine):
    count = {"best": 3, "low": 3, "high": 3, "qualifier": "exact", "vague_term": None}
    with session_scope(any_engine) as session:
        document = add_document(session, NewDocument(text=ARTICLE))
        run = start_run(session, **run_settings())
        assert not already_extracted(session, document, run)
        store_extraction(session, document, run, [figure(ARTICLE, "ثلاثة", count)], Provenance())
        assert already_extracted(session, document, run)
    with Session(any_engine) as session:
        values = session.exec(select(Value).order_by(Value.id)).all()
        assert [v.field for v in values] == ["category", "count"]
        assert values[1].value == count and values[1].model_value == count
        assert ARTICLE[values[1].start : values[1].end] == "ثلاثة"
        assert corpus_status(session).values_by_review == {"pending": 2}


def test_a_span_that_breaks_the_invariant_is_never_written(any_engine):
    bad = figure(ARTICLE, "ثلاثة", {"best": 3})
    shifted = bad.values[1].citation.model_copy(update={"start": 3, "end": 8})
    bad.values[1] = bad.values[1].model_copy(update={"citation": shifted})
    with session_scope(any_engine) as session:
        document = add_document(session, NewDocument(text=ARTICLE))
    with pytest.raises(ValueError, match="does not hold"), session_scope(any_engine) as session:
        document = session.get(Document, document.id)
        run = start_run(session, **run_settings())
        store_extraction(session, document, run, [bad], Provenance())
    with Session(any_engine) as session:
        assert session.exec(select(Record)).all() == []
        assert session.exec(select(Extraction)).all() == []


def test_sqlite_uses_wal_and_foreign_keys(sqlite_engine):
    with sqlite_engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000


def test_database_url_from_environment(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("ATHAR_DB", "/data/team.db")
    assert database_url() == "sqlite:////data/team.db"
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    assert database_url() == "postgresql+psycopg://u@h/db"
    assert database_url("local.db") == "sqlite:///local.db"


def test_a_document_with_nothing_to_extract_still_counts_as_extracted(any_engine):
    with session_scope(any_engine) as session:
        document = add_document(session, NewDocument(text="بيان سياسي لا أرقام فيه."))
        run = start_run(session, **run_settings())
        store_extraction(session, document, run, [], Provenance())
    with Session(any_engine) as session:
        report = corpus_status(session)
        assert (report.extracted_documents, report.records) == (1, 0)
