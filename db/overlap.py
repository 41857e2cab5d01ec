"""Double review: a share of documents is reviewed by two annotators independently.

`ATHAR_OVERLAP` (0 to 1, default 0) is the share. Whether a document is
reviewed twice is decided once, when it is first claimed, from its sha256, so
the choice is spread evenly over the corpus and does not depend on the order
documents are opened in. From then on the document has review copies (one
per annotator, two at most) and each annotator's decisions are judgements,
kept apart from the value's final state and from each other. When both
passes are done a reviewer adjudicates: picks one version or edits, through
`db.review.decide`, and only then does the value get its final state, the one
exported. Documents not picked behave exactly as without overlap.

`db.review` routes its steps here for documents under double review; this
module uses its exceptions and views.
"""

import os
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from db.models import Annotator, AuditEntry, Document, Judgement, Record, ReviewCopy, Value, utcnow
from db.review import (
    LEASE,
    RecordView,
    ReviewError,
    StaleWrite,
    _aware,
    audit_log,
    current_records,
    decide,
    edit_changes,
    ensure_annotator,
    pending_values,
)
from schemas.codebook import Decision, DocState, RecordKind
from schemas.records import CORE_FIELDS, Citation

OVERLAP_ENV = "ATHAR_OVERLAP"
REVIEWER = "reviewer"
PASSES = 2


class Phase(StrEnum):
    SINGLE = "single"  # an ordinary document
    INDEPENDENT = "independent"  # two annotators at work, each on their own copy
    ADJUDICATION = "adjudication"  # both passes done; a reviewer decides


def overlap_share() -> float:
    raw = os.environ.get(OVERLAP_ENV, "0") or "0"
    share = float(raw)
    if not 0 <= share <= 1:
        raise ValueError(f"{OVERLAP_ENV} must be between 0 and 1, not {raw}")
    return share


def picked(sha256: str, share: float) -> bool:
    """Whether a text falls in the overlap share: its hash, read as a fraction, is below it."""
    return int(sha256[:8], 16) < share * 0x1_0000_0000


def copies(session: Session, document_id: int) -> list[ReviewCopy]:
    return list(
        session.exec(
            select(ReviewCopy)
            .where(ReviewCopy.document_id == document_id)
            .order_by(col(ReviewCopy.slot))
            .execution_options(populate_existing=True)
        ).all()
    )


def phase(session: Session, document_id: int) -> Phase:
    passes = copies(session, document_id)
    if not passes:
        return Phase.SINGLE
    if len(passes) == PASSES and all(c.done_at for c in passes):
        return Phase.ADJUDICATION
    return Phase.INDEPENDENT


def is_reviewer(session: Session, name: str) -> bool:
    found = session.exec(select(Annotator).where(Annotator.name == name)).first()
    return found is not None and found.role == REVIEWER


def _own(session: Session, document_id: int, annotator: str) -> ReviewCopy | None:
    return next((c for c in copies(session, document_id) if c.annotator == annotator), None)


# --- claiming -----------------------------------------------------------------


def claim_double(
    session: Session, document_id: int, annotator: str, lease: timedelta = LEASE
) -> bool | None:
    """`db.review.claim` for double review; None when the document is an ordinary one.

    A new document in the overlap share gets its first copy here. A claimant
    with a copy renews its lease; others take a free slot, or the slot of
    someone who left it untouched past the lease. The unique constraints on
    (document, slot) and (document, annotator) settle races: the loser of a
    slot looks again and takes the other one if it is still free.
    """
    for _ in range(PASSES + 1):
        claimed = _claim_once(session, document_id, annotator, lease)
        if claimed != "retry":
            return claimed
    return False


def _claim_once(
    session: Session, document_id: int, annotator: str, lease: timedelta
) -> bool | str | None:
    document = session.get(Document, document_id, populate_existing=True)
    if document is None:
        return False
    passes = copies(session, document_id)
    if not passes:
        if document.state != DocState.NEW or not picked(document.sha256, overlap_share()):
            return None
    elif len(passes) == PASSES and all(c.done_at for c in passes):
        return None if is_reviewer(session, annotator) else False
    now = utcnow()
    mine = next((c for c in passes if c.annotator == annotator), None)
    if mine is not None:
        if mine.done_at:
            return False
        mine.lease_until = now + lease
        session.add(mine)
        session.commit()
        return True
    taken = {c.slot for c in passes}
    free = [slot for slot in range(1, PASSES + 1) if slot not in taken]
    if not free:
        return _take_over(session, passes, annotator, now + lease)
    session.add(
        ReviewCopy(
            document_id=document_id, slot=free[0], annotator=annotator, lease_until=now + lease
        )
    )
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        return "retry"
    if document.state == DocState.NEW:
        document.state = DocState.IN_PROGRESS
        session.add(document)
    session.commit()
    return True


def _take_over(session: Session, passes: list[ReviewCopy], annotator: str, until) -> bool:
    """Take a slot whose holder's lease ran out before they judged anything."""
    now = utcnow()
    for stale in passes:
        if stale.done_at or stale.lease_until is None or _aware(stale.lease_until) > now:
            continue
        judged = session.exec(
            select(Judgement.id).where(
                Judgement.document_id == stale.document_id, Judgement.annotator == stale.annotator
            )
        ).first()
        if judged is not None:
            continue
        result = session.exec(
            update(ReviewCopy)
            .where(ReviewCopy.id == stale.id, ReviewCopy.annotator == stale.annotator)
            .values(annotator=annotator, lease_until=until, claimed_at=now)
        )
        session.commit()
        if result.rowcount == 1:
            return True
    return False


def holds_copy(session: Session, document_id: int, annotator: str) -> bool:
    mine = _own(session, document_id, annotator)
    return (
        mine is not None
        and not mine.done_at
        and mine.lease_until is not None
        and _aware(mine.lease_until) > utcnow()
    )


def release_copy(session: Session, document_id: int, annotator: str) -> None:
    session.exec(
        update(ReviewCopy)
        .where(ReviewCopy.document_id == document_id, ReviewCopy.annotator == annotator)
        .values(lease_until=None)
    )
    session.commit()


# --- one annotator's pass -----------------------------------------------------------

_STATE = ("value", "quote", "source", "start", "end")


def _judgement(session: Session, value_id: int, annotator: str) -> Judgement | None:
    return session.exec(
        select(Judgement)
        .where(Judgement.value_id == value_id, Judgement.annotator == annotator)
        .execution_options(populate_existing=True)
    ).first()


def _as_value(value: Value, judgement: Judgement | None) -> Value:
    """The value as this annotator sees it: a detached copy carrying their judgement."""
    fields = value.model_dump()
    if judgement is None:
        fields |= {"decision": None, "decided_by": None, "decided_at": None, "version": 0}
    else:
        fields |= {k: getattr(judgement, k) for k in _STATE}
        fields |= {
            "decision": judgement.decision,
            "decided_by": judgement.annotator,
            "decided_at": judgement.decided_at,
            "version": judgement.version,
        }
    return Value(**fields)


def _snapshot(judgement: Judgement | None) -> dict[str, Any] | None:
    if judgement is None:
        return None
    return {k: getattr(judgement, k) for k in (*_STATE, "decision", "version")} | {
        "decided_by": judgement.annotator
    }


def overlay(session: Session, views: list[RecordView], annotator: str) -> list[RecordView]:
    """Records as one annotator's pass left them, apart from the other pass."""
    ids = [v.id for view in views for v in view.values]
    judged = {
        j.value_id: j
        for j in session.exec(
            select(Judgement)
            .where(col(Judgement.value_id).in_(ids), Judgement.annotator == annotator)
            .execution_options(populate_existing=True)
        ).all()
    }
    out = []
    for view in views:
        values = [_as_value(v, judged.get(v.id)) for v in view.values]
        core = CORE_FIELDS[RecordKind(view.record.kind)]
        rejected = any(v.field in core and v.decision == Decision.REJECTED for v in values)
        out.append(RecordView(Record(**view.record.model_dump() | {"rejected": rejected}), values))
    return out


def judge(
    session: Session,
    value: Value,
    annotator: str,
    decision: Decision,
    expected_version: int,
    *,
    new_value: Any = None,
    citation: Citation | None = None,
) -> Value:
    """`db.review.decide` during double review: record this annotator's judgement only."""
    mine = _own(session, value.document_id, annotator)
    if mine is None:
        raise ReviewError("this document is reviewed twice; claim it to get your own copy")
    if mine.done_at:
        raise ReviewError("you marked your pass over this document done")
    existing = _judgement(session, value.id, annotator)
    current = existing.version if existing else 0
    if current != expected_version:
        raise StaleWrite(_as_value(value, existing))
    # Accepting takes the model's proposal (the value's state, which only
    # adjudication changes); an edit or a rejection starts from this pass's own state.
    base = value if decision == Decision.ACCEPTED else (existing or value)
    state = {k: getattr(base, k) for k in _STATE}
    if decision == Decision.EDITED:
        text = session.get(Document, value.document_id).text
        state |= edit_changes(text, new_value, citation)
    changes = state | {"decision": decision.value, "decided_at": utcnow()}
    before = _snapshot(existing)
    if existing is None:
        fresh = Judgement(
            value_id=value.id,
            document_id=value.document_id,
            annotator=annotator,
            version=1,
            **changes,
        )
        session.add(fresh)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            raise StaleWrite(_as_value(value, _judgement(session, value.id, annotator))) from None
    else:
        result = session.exec(
            update(Judgement)
            .where(Judgement.id == existing.id, Judgement.version == expected_version)
            .values(**changes, version=Judgement.version + 1)
        )
        if result.rowcount != 1:
            session.rollback()
            raise StaleWrite(_as_value(value, _judgement(session, value.id, annotator)))
    fresh = _judgement(session, value.id, annotator)
    _audit(session, value, annotator, "judgement", before, _snapshot(fresh))
    session.commit()
    return _as_value(value, fresh)


def _audit(session: Session, value: Value | None, annotator: str, action: str, before, after):
    session.add(
        AuditEntry(
            document_id=value.document_id,
            record_id=value.record_id,
            value_id=value.id,
            annotator=annotator,
            action=action,
            before=before,
            after=after,
        )
    )


def undo_judgement(session: Session, document_id: int, annotator: str) -> AuditEntry | None:
    """`db.review.undo_last` during double review: put this annotator's last judgement back."""
    entries = audit_log(session, document_id)
    undone = {e.after.get("undoes") for e in entries if e.action == "undo" and e.after}
    last = next(
        (
            e
            for e in reversed(entries)
            if e.annotator == annotator and e.action == "judgement" and e.id not in undone
        ),
        None,
    )
    if last is None:
        return None
    value = session.get(Value, last.value_id)
    current = _judgement(session, value.id, annotator)
    before = _snapshot(current)
    if last.before is None:
        session.delete(current)
    else:
        for key in (*_STATE, "decision"):
            setattr(current, key, last.before[key])
        current.decided_at = utcnow() if last.before["decision"] else None
        current.version += 1
        session.add(current)
    session.flush()
    after = _snapshot(_judgement(session, value.id, annotator)) or {}
    entry = AuditEntry(
        document_id=document_id,
        record_id=value.record_id,
        value_id=value.id,
        annotator=annotator,
        action="undo",
        before=before,
        after={**after, "undoes": last.id},
    )
    session.add(entry)
    session.commit()
    return entry


def finish_copy(session: Session, document_id: int, annotator: str) -> None:
    """`db.review.mark_done` during double review: close this annotator's pass."""
    mine = _own(session, document_id, annotator)
    if mine is None:
        raise ReviewError("you hold no copy of this document")
    views = overlay(session, current_records(session, document_id), annotator)
    waiting = pending_values(views)
    if waiting:
        raise ReviewError(f"{len(waiting)} values still need a decision")
    mine.done_at = utcnow()
    mine.lease_until = None
    session.add(mine)
    session.add(
        AuditEntry(
            document_id=document_id,
            annotator=annotator,
            action="pass done",
            after={"slot": mine.slot},
        )
    )
    session.commit()


# --- adjudication -----------------------------------------------------------------------


@dataclass
class Versions:
    """One value with both annotators' versions, for a reviewer to settle."""

    record: Record
    value: Value
    annotators: list[str]
    judgements: list[Judgement | None]

    @property
    def agreed(self) -> bool:
        first, second = self.judgements
        return (
            first is not None
            and second is not None
            and outcome(first) == outcome(second)
            and first.decision is not None
        )


def outcome(j: Judgement) -> tuple:
    """What a judgement leaves behind: nothing if rejected, else the value and its span."""
    if j.decision == Decision.REJECTED:
        return (Decision.REJECTED,)
    return ("kept", repr(j.value), j.start, j.end)


def versions(session: Session, document_id: int) -> list[Versions]:
    """Every value under review with each pass's judgement (None where it has none)."""
    passes = copies(session, document_id)
    names = [c.annotator for c in passes]
    views = current_records(session, document_id)
    ids = [v.id for view in views for v in view.values]
    judged = {
        (j.value_id, j.annotator): j
        for j in session.exec(select(Judgement).where(col(Judgement.value_id).in_(ids))).all()
    }
    return [
        Versions(view.record, v, names, [judged.get((v.id, name)) for name in names])
        for view in views
        for v in view.values
    ]


def _require_adjudication(session: Session, document_id: int, reviewer: str) -> None:
    if not is_reviewer(session, reviewer):
        raise ReviewError("adjudication needs the reviewer role")
    if phase(session, document_id) != Phase.ADJUDICATION:
        raise ReviewError("both passes must be done before adjudication")


def adjudicate(
    session: Session,
    value_id: int,
    reviewer: str,
    expected_version: int,
    pick: Judgement | None = None,
    *,
    decision: Decision | None = None,
    new_value: Any = None,
    citation: Citation | None = None,
) -> Value:
    """Settle one value: take one annotator's version (`pick`) or decide afresh.

    Goes through `db.review.decide`, so the final state, the audit row and
    the stale-write check are exactly those of an ordinary decision.
    """
    value = session.get(Value, value_id)
    _require_adjudication(session, value.document_id, reviewer)
    if pick is not None:
        decision = Decision(pick.decision)
        if decision == Decision.EDITED:
            new_value = pick.value
            if pick.source is not None:
                citation = Citation(
                    quote=pick.quote, source=pick.source, start=pick.start, end=pick.end
                )
    if decision is None:
        raise ReviewError("pick a version or give a decision")
    return decide(
        session,
        value_id,
        reviewer,
        decision,
        expected_version,
        new_value=new_value,
        citation=citation,
    )


def adopt_agreed(session: Session, document_id: int, reviewer: str) -> int:
    """Settle every value both passes agree on with that version; returns how many."""
    _require_adjudication(session, document_id, reviewer)
    settled = 0
    for item in versions(session, document_id):
        if item.agreed and item.value.decision is None and not item.record.rejected:
            adjudicate(session, item.value.id, reviewer, item.value.version, item.judgements[0])
            settled += 1
    return settled


def awaiting_adjudication(session: Session) -> list[Document]:
    """Documents whose two passes are done and that a reviewer has not closed yet."""
    finished = (
        select(ReviewCopy.document_id)
        .where(col(ReviewCopy.done_at).is_not(None))
        .group_by(ReviewCopy.document_id)
        .having(func.count() == PASSES)
    )
    return list(
        session.exec(
            select(Document)
            .where(col(Document.id).in_(finished), Document.state != DocState.DONE)
            .order_by(col(Document.id))
        ).all()
    )


def set_reviewer(session: Session, name: str, reviewer: bool = True) -> Annotator:
    """Give (or take back) the reviewer role, which adjudication needs."""
    person = ensure_annotator(session, name)
    person.role = REVIEWER if reviewer else "annotator"
    session.add(person)
    session.commit()
    return person
