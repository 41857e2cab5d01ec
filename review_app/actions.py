"""The review steps behind the app's buttons, as plain functions.

Each step renews the annotator's lease first (so a document nobody touches
is freed when its lease runs out, and one somebody else took over is not
written to), then calls the one `db.review` function that changes state.
Nothing here knows about Streamlit: every step returns an `Outcome` the page
shows, and the tests call these functions directly.
"""

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from db.models import Document, Record, Value
from db.review import (
    ReviewError,
    StaleWrite,
    add_human_record,
    claim,
    current_records,
    decide,
    mark_done,
    reopen,
    undo_last,
)
from extractor.grounding import ground
from review_app.fields import DEFAULTS
from schemas.codebook import Decision, DocState, MatchKind, RecordKind
from schemas.records import FIELDS, Citation, GroundedRecord, GroundedValue


@dataclass(frozen=True)
class Outcome:
    """What a step did, worded for the annotator; `stale` when the value had changed."""

    ok: bool
    message: str
    stale: bool = False
    value_id: int | None = None


class QuoteNotFound(ReviewError):
    def __init__(self, quote: str):
        super().__init__(f"«{quote}» is not in the article: type words exactly as they appear")


def reground(
    text: str, typed: str, within: tuple[int, int] | None = None, near: int | None = None
) -> Citation:
    """Find an annotator's typed quote in the article, or refuse it."""
    found = ground(text, typed, within=within, near=near)
    if found.match == MatchKind.NONE:
        raise QuoteNotFound(typed.strip())
    return Citation(
        quote=typed,
        source=found.quote,
        start=found.start,
        end=found.end,
        match=found.match,
        score=found.score,
    )


def evidence_span(record: Record) -> tuple[int, int] | None:
    if record.evidence_start is None or record.evidence_end is None:
        return None
    return record.evidence_start, record.evidence_end


def _renew(session: Session, document_id: int, annotator: str) -> None:
    """Keep the lease alive while the annotator works; refuse if someone else holds it."""
    document = session.get(Document, document_id)
    session.refresh(document)
    if document.state == DocState.DONE:
        raise ReviewError("this document is marked done; reopen it to change a decision")
    if not claim(session, document_id, annotator):
        session.refresh(document)
        raise ReviewError(
            f"{document.claimed_by} is reviewing this document now; your change was not saved"
        )


def _run(step) -> Outcome:
    """Run a step that returns its message (or a finished Outcome); turn refusals into Outcomes."""
    try:
        done = step()
        return done if isinstance(done, Outcome) else Outcome(True, done)
    except StaleWrite as stale:
        return Outcome(False, str(stale), stale=True)
    except (ReviewError, ValueError) as refused:
        return Outcome(False, str(refused))


def accept(session: Session, value_id: int, annotator: str, version: int) -> Outcome:
    def step() -> str:
        value = session.get(Value, value_id)
        if value.match == MatchKind.NONE and value.decision is None:
            raise ReviewError(
                "this value's quote is not in the article: edit it to give words that are, "
                "or reject it"
            )
        _renew(session, value.document_id, annotator)
        decide(session, value_id, annotator, Decision.ACCEPTED, version)
        return f"accepted {value.field}"

    return _run(step)


def reject(session: Session, value_id: int, annotator: str, version: int) -> Outcome:
    def step() -> str:
        value = session.get(Value, value_id)
        _renew(session, value.document_id, annotator)
        decide(session, value_id, annotator, Decision.REJECTED, version)
        record = session.get(Record, value.record_id)
        session.refresh(record)
        return f"rejected {value.field}" + (" and its record" if record.rejected else "")

    return _run(step)


def edit(
    session: Session,
    value_id: int,
    annotator: str,
    version: int,
    new_value: Any,
    typed_quote: str | None,
) -> Outcome:
    """Replace a value and/or its quote; the quote is re-grounded, never trusted."""

    def step() -> str:
        value = session.get(Value, value_id)
        record = session.get(Record, value.record_id)
        document = session.get(Document, value.document_id)
        citation = None
        typed = (typed_quote or "").strip()
        if typed and typed not in (value.quote, value.source):
            citation = reground(document.text, typed, evidence_span(record), value.start)
        if citation is None and new_value == value.value:
            raise ReviewError("nothing changed: accept the value instead, or change it")
        _renew(session, document.id, annotator)
        decide(
            session,
            value_id,
            annotator,
            Decision.EDITED,
            version,
            new_value=new_value,
            citation=citation,
        )
        return f"saved your edit of {value.field}"

    return _run(step)


def undo(session: Session, document_id: int, annotator: str) -> Outcome:
    def step() -> Outcome:
        _renew(session, document_id, annotator)
        entry = undo_last(session, document_id, annotator)
        if entry is None:
            raise ReviewError("nothing of yours to undo in this document")
        field = session.get(Value, entry.value_id).field
        return Outcome(True, f"undid your last decision ({field})", value_id=entry.value_id)

    return _run(step)


def finish(session: Session, document_id: int, annotator: str) -> Outcome:
    def step() -> str:
        _renew(session, document_id, annotator)
        mark_done(session, document_id, annotator)
        return f"document {document_id} marked done"

    return _run(step)


def reopen_document(session: Session, document_id: int, annotator: str) -> Outcome:
    def step() -> str:
        if not claim(session, document_id, annotator):
            raise ReviewError("someone else holds this document")
        reopen(session, document_id, annotator)
        return f"document {document_id} reopened"

    return _run(step)


def _human_key(session: Session, document_id: int, kind: RecordKind) -> str:
    prefix = "HF" if kind == RecordKind.FIGURE else "HE"
    taken = {view.record.key for view in current_records(session, document_id)}
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def add_missing(
    session: Session,
    document_id: int,
    annotator: str,
    kind: RecordKind,
    evidence: str,
    values: dict[str, tuple[Any, str | None]],
) -> Outcome:
    """Add a record the model missed: its evidence quote first, then (value, quote) per field.

    Every quote must be found in the article; fields not given take the
    codebook's defaults (unit persons, scope incident, nothing else known).
    """

    def step() -> Outcome:
        document = session.get(Document, document_id)
        if not evidence.strip():
            raise ReviewError("quote the words that state the record first")
        cited = reground(document.text, evidence)
        span = (cited.start, cited.end)
        grounded = []
        for field in FIELDS[kind]:
            value, quote = values.get(field, (DEFAULTS[kind].get(field), None))
            citation = reground(document.text, quote, span) if quote and quote.strip() else None
            grounded.append(
                GroundedValue(field=field, value=value, citation=citation or Citation())
            )
        _renew(session, document_id, annotator)
        record = add_human_record(
            session,
            document_id,
            annotator,
            GroundedRecord(
                kind=kind,
                key=_human_key(session, document_id, kind),
                evidence=cited,
                values=grounded,
            ),
        )
        first = session.exec(
            select(Value.id).where(Value.record_id == record.id).order_by(Value.id)
        ).first()
        return Outcome(True, f"added {kind.value} {record.key}", value_id=first)

    return _run(step)
