"""Everything a review changes: leases, decisions, undo, added records, done-ness.

Each function is one step an annotator takes; the review app calls these and
never writes rows itself. Writes are single conditional UPDATEs, so two
annotators racing on a document or a value cannot both win: the loser gets
`LeaseHeld` or `StaleWrite`, never a silent overwrite.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, or_, update
from sqlmodel import Session, col, select

from db.extractions import add_record, latest_extraction
from db.models import Annotator, AuditEntry, Document, Record, Value, utcnow
from schemas.codebook import Decision, DocState, Origin, RecordKind
from schemas.records import CORE_FIELDS, Citation, GroundedRecord

LEASE = timedelta(minutes=30)


class ReviewError(Exception):
    """A review step that cannot be applied; the message is shown to the annotator."""


class StaleWrite(ReviewError):
    """The value changed since the annotator saw it."""

    def __init__(self, fresh: Value):
        super().__init__(
            f"this value was changed by {fresh.decided_by or 'a new extraction'} "
            f"since you opened it; the current value is shown, decide again"
        )
        self.fresh = fresh


class LeaseHeld(ReviewError):
    pass


def _overlap():
    """`db.overlap`, which builds on this module, imported when first needed."""
    from db import overlap

    return overlap


def _independent(session: Session, document_id: int) -> bool:
    """Whether two annotators are reviewing this document apart (ATHAR_OVERLAP)."""
    overlap = _overlap()
    return overlap.phase(session, document_id) == overlap.Phase.INDEPENDENT


def ensure_annotator(session: Session, name: str, role: str = "annotator") -> Annotator:
    name = name.strip()
    if not name:
        raise ReviewError("an annotator name is required")
    found = session.exec(select(Annotator).where(Annotator.name == name)).first()
    if found:
        return found
    annotator = Annotator(name=name, role=role)
    session.add(annotator)
    session.flush()
    return annotator


# --- leases -----------------------------------------------------------------


def claim(session: Session, document_id: int, annotator: str, lease: timedelta = LEASE) -> bool:
    """Take (or renew) the lease on a document in one atomic statement."""
    double = _overlap().claim_double(session, document_id, annotator, lease)
    if double is not None:
        return double
    now = utcnow()
    result = session.exec(
        update(Document)
        .where(
            Document.id == document_id,
            or_(
                col(Document.claimed_by).is_(None),
                Document.claimed_by == annotator,
                col(Document.lease_until) < now,
            ),
        )
        .values(
            claimed_by=annotator,
            lease_until=now + lease,
            state=case(
                (Document.state == DocState.NEW, DocState.IN_PROGRESS), else_=Document.state
            ),
        )
    )
    session.commit()
    return result.rowcount == 1


def release(session: Session, document_id: int, annotator: str) -> None:
    if _independent(session, document_id):
        return _overlap().release_copy(session, document_id, annotator)
    session.exec(
        update(Document)
        .where(Document.id == document_id, Document.claimed_by == annotator)
        .values(claimed_by=None, lease_until=None)
    )
    session.commit()


def holds_lease(session: Session, document_id: int, annotator: str) -> bool:
    if _independent(session, document_id):
        return _overlap().holds_copy(session, document_id, annotator)
    document = session.get(Document, document_id, populate_existing=True)
    return (
        document is not None
        and document.claimed_by == annotator
        and document.lease_until is not None
        and _aware(document.lease_until) > utcnow()
    )


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back without a zone; all of ours are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def claimable(annotator: str, now: datetime):
    """SQL condition: a document this annotator may open now."""
    return and_(
        Document.state != DocState.DONE,
        or_(
            col(Document.claimed_by).is_(None),
            Document.claimed_by == annotator,
            col(Document.lease_until) < now,
        ),
    )


def claim_next(session: Session, annotator: str, candidates: list[int]) -> Document | None:
    """Claim the first of `candidates` (ids in queue order) nobody else holds."""
    for document_id in candidates:
        if claim(session, document_id, annotator):
            return session.get(Document, document_id)
    return None


# --- reading ----------------------------------------------------------------


@dataclass
class RecordView:
    record: Record
    values: list[Value]


def record_views(session: Session, *conditions) -> list[RecordView]:
    """Records matching `conditions`, in order, each with its values (two queries in all)."""
    records = session.exec(select(Record).where(*conditions).order_by(Record.id)).all()
    values = session.exec(
        select(Value).where(col(Value.record_id).in_([r.id for r in records])).order_by(Value.id)
    ).all()
    by_record: dict[int, list[Value]] = {r.id: [] for r in records}
    for value in values:
        by_record[value.record_id].append(value)
    return [RecordView(r, by_record[r.id]) for r in records]


def current_records(
    session: Session, document_id: int, annotator: str | None = None
) -> list[RecordView]:
    """The records under review: the latest extraction's, plus those people added.

    With `annotator`, a document under double review reads as that
    annotator's own pass (their judgements, not the other's).
    """
    latest = latest_extraction(session, document_id)
    condition = Record.origin == Origin.HUMAN
    if latest is not None:
        condition = or_(condition, Record.extraction_id == latest.id)
    views = record_views(session, Record.document_id == document_id, condition)
    if annotator is not None and _independent(session, document_id):
        return _overlap().overlay(session, views, annotator)
    return views


def pending_values(views: list[RecordView]) -> list[Value]:
    """Values still waiting for a decision; a rejected record's values need none."""
    return [v for view in views if not view.record.rejected for v in view.values if not v.decision]


def progress(session: Session, document_id: int, annotator: str | None = None) -> tuple[int, int]:
    """(decided, total) over the values that need a decision (in `annotator`'s pass, if given)."""
    views = current_records(session, document_id, annotator)
    live = [v for view in views if not view.record.rejected for v in view.values]
    return sum(1 for v in live if v.decision), len(live)


def audit_log(session: Session, document_id: int) -> list[AuditEntry]:
    return list(
        session.exec(
            select(AuditEntry)
            .where(AuditEntry.document_id == document_id)
            .order_by(col(AuditEntry.id))
        ).all()
    )


# --- decisions --------------------------------------------------------------


def snapshot(value: Value) -> dict[str, Any]:
    """The reviewable state of a value, as the audit log records it."""
    return {
        "value": value.value,
        "quote": value.quote,
        "source": value.source,
        "start": value.start,
        "end": value.end,
        "decision": value.decision,
        "decided_by": value.decided_by,
        "version": value.version,
    }


def _audit(
    session: Session,
    value: Value | None,
    document_id: int,
    annotator: str,
    action: str,
    before: Any,
    after: Any,
    record_id: int | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        document_id=document_id,
        record_id=record_id if record_id is not None else (value.record_id if value else None),
        value_id=value.id if value else None,
        annotator=annotator,
        action=action,
        before=before,
        after=after,
    )
    session.add(entry)
    return entry


def _apply(
    session: Session, value_id: int, expected_version: int, changes: dict[str, Any]
) -> Value:
    """Write `changes` only if nobody changed the value since `expected_version`."""
    result = session.exec(
        update(Value)
        .where(Value.id == value_id, Value.version == expected_version)
        .values(**changes, version=Value.version + 1)
    )
    value = session.get(Value, value_id)
    session.refresh(value)
    if result.rowcount != 1:
        session.rollback()
        value = session.get(Value, value_id)
        session.refresh(value)
        raise StaleWrite(value)
    return value


def edit_changes(text: str, new_value: Any, citation: Citation | None) -> dict[str, Any]:
    """The columns an edit changes; refuses an empty edit or a quote not in the article."""
    if new_value is None and citation is None:
        raise ReviewError("an edit needs a new value or a new quote")
    changes: dict[str, Any] = {}
    if citation is not None:
        if citation.source is None:
            raise ReviewError(f"the quote {citation.quote!r} is not in the article")
        citation.check(text)
        changes |= {
            "quote": citation.quote,
            "source": citation.source,
            "start": citation.start,
            "end": citation.end,
        }
    if new_value is not None:
        changes["value"] = new_value
    return changes


def decide(
    session: Session,
    value_id: int,
    annotator: str,
    decision: Decision,
    expected_version: int,
    *,
    new_value: Any = None,
    citation: Citation | None = None,
) -> Value:
    """Accept, edit or reject one value, with its audit row, committed at once.

    An edit brings the annotator's value and/or a citation already grounded
    in the article (`extractor.grounding`); a span that does not hold is refused.
    """
    value = session.get(Value, value_id)
    if value is None:
        raise ReviewError(f"no value {value_id}")
    if _independent(session, value.document_id):
        return _overlap().judge(
            session,
            value,
            annotator,
            decision,
            expected_version,
            new_value=new_value,
            citation=citation,
        )
    document = session.get(Document, value.document_id)
    if document.state == DocState.DONE:
        raise ReviewError("this document is marked done; reopen it to change a decision")
    before = snapshot(value)
    changes: dict[str, Any] = {
        "decision": decision.value,
        "decided_by": annotator,
        "decided_at": utcnow(),
    }
    if decision == Decision.EDITED:
        changes |= edit_changes(document.text, new_value, citation)
    value = _apply(session, value_id, expected_version, changes)
    record = session.get(Record, value.record_id)
    if decision == Decision.REJECTED and value.field in CORE_FIELDS[RecordKind(record.kind)]:
        record.rejected = True
        session.add(record)
    _audit(session, value, document.id, annotator, decision.value, before, snapshot(value))
    session.commit()
    return value


def undo_last(session: Session, document_id: int, annotator: str) -> AuditEntry | None:
    """Put back the value this annotator changed last in this document."""
    if _independent(session, document_id):
        return _overlap().undo_judgement(session, document_id, annotator)
    entries = audit_log(session, document_id)
    undone = {e.after.get("undoes") for e in entries if e.action == "undo" and e.after}
    last = next(
        (
            e
            for e in reversed(entries)
            if e.annotator == annotator
            and e.value_id is not None
            and e.action in {d.value for d in Decision}
            and e.id not in undone
        ),
        None,
    )
    if last is None:
        return None
    value = session.get(Value, last.value_id)
    restore = {
        k: last.before[k]
        for k in ("value", "quote", "source", "start", "end", "decision", "decided_by")
    }
    restore["decided_at"] = None if restore["decision"] is None else utcnow()
    before = snapshot(value)
    value = _apply(session, value.id, value.version, restore)
    record = session.get(Record, value.record_id)
    if record.rejected and last.action == Decision.REJECTED:
        record.rejected = False
        session.add(record)
    entry = _audit(
        session,
        value,
        document_id,
        annotator,
        "undo",
        before,
        {**snapshot(value), "undoes": last.id},
    )
    session.commit()
    return entry


def add_human_record(
    session: Session, document_id: int, annotator: str, grounded: GroundedRecord
) -> Record:
    """Add a figure or event the backend missed; its values count as the annotator's."""
    if _independent(session, document_id):
        raise ReviewError(
            "this document is reviewed by two annotators independently; "
            "missing records are added at adjudication"
        )
    document = session.get(Document, document_id)
    record = add_record(session, document, grounded, origin=Origin.HUMAN)
    session.flush()
    now = utcnow()
    for value in session.exec(select(Value).where(Value.record_id == record.id)).all():
        value.model_value = None
        value.model_quote = None
        value.decision = Decision.EDITED
        value.decided_by = annotator
        value.decided_at = now
        session.add(value)
    _audit(
        session,
        None,
        document_id,
        annotator,
        "added",
        None,
        grounded.model_dump(mode="json"),
        record_id=record.id,
    )
    session.commit()
    return record


def mark_done(session: Session, document_id: int, annotator: str) -> None:
    """Close a document; refused while any value still lacks a decision.

    Under double review this closes the annotator's own pass; the document
    is closed after adjudication.
    """
    if _independent(session, document_id):
        return _overlap().finish_copy(session, document_id, annotator)
    waiting = pending_values(current_records(session, document_id))
    if waiting:
        raise ReviewError(f"{len(waiting)} values still need a decision")
    document = session.get(Document, document_id)
    document.state = DocState.DONE
    document.done_by = annotator
    document.done_at = utcnow()
    document.claimed_by = None
    document.lease_until = None
    session.add(document)
    _audit(session, None, document_id, annotator, "done", None, None)
    session.commit()


def reopen(session: Session, document_id: int, annotator: str) -> None:
    document = session.get(Document, document_id)
    document.state = DocState.IN_PROGRESS
    document.done_by = None
    document.done_at = None
    session.add(document)
    _audit(session, None, document_id, annotator, "reopened", None, None)
    session.commit()
