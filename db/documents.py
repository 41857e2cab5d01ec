"""Adding documents and reading the corpus's state."""

import hashlib
from dataclasses import dataclass

from sqlalchemy import func
from sqlmodel import Session, select

from db.models import Document, Extraction, Record, Value


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class NewDocument:
    """An article as read from a file, before it is stored."""

    text: str
    external_id: str | None = None
    title: str | None = None
    url: str | None = None
    published: str | None = None
    outlet: str | None = None
    source_path: str | None = None


def add_document(session: Session, new: NewDocument) -> Document | None:
    """Store an article exactly as received; None when the same text is already stored."""
    sha = text_sha256(new.text)
    if session.exec(select(Document.id).where(Document.sha256 == sha)).first() is not None:
        return None
    document = Document(sha256=sha, **new.__dict__)
    session.add(document)
    session.flush()
    return document


def document_by_key(session: Session, key: str) -> Document | None:
    """Find a document by its numeric id, ingest id or sha256."""
    if key.isdigit():
        found = session.get(Document, int(key))
        if found:
            return found
    return session.exec(
        select(Document).where((Document.external_id == key) | (Document.sha256 == key))
    ).first()


@dataclass(frozen=True)
class CorpusStatus:
    documents_by_state: dict[str, int]
    extracted_documents: int
    records: int
    values_by_review: dict[str, int]
    values_by_match: dict[str, int]


def corpus_status(session: Session) -> CorpusStatus:
    by_state = dict(
        session.exec(select(Document.state, func.count()).group_by(Document.state)).all()
    )
    extracted = session.exec(
        select(func.count(func.distinct(Extraction.document_id))).where(Extraction.status == "ok")
    ).one()
    records = session.exec(select(func.count()).select_from(Record)).one()
    by_review = _counts(session, Value.decision, "pending")
    by_match = _counts(session, Value.match, "uncited")
    return CorpusStatus(by_state, extracted, records, by_review, by_match)


def _counts(session: Session, column, null_label: str) -> dict[str, int]:
    """Rows per value of a column, with NULL counted under `null_label`."""
    rows = session.exec(select(column, func.count()).group_by(column)).all()
    return {(key if key is not None else null_label): n for key, n in rows}
