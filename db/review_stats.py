"""What the reviews say about each backend, model and prompt version.

Every reviewed value is a verdict on the extraction that proposed it:
accepted (the model was right), edited (close, corrected), rejected (wrong).
Values left undecided because their record was rejected through a core
field count as rejected with it. Records annotators had to add are the
model's misses, charged to the extraction the document was reviewed on (its
latest). Counts are per (backend, model, prompt version, field), so prompt
versions can be compared by the people who read their output.
"""

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_
from sqlmodel import Session, col, select

from db.extractions import latest_extractions
from db.models import Document, Extraction, Judgement, Record, ReviewCopy, Value
from schemas.codebook import Decision, Origin


@dataclass(frozen=True)
class FieldVerdicts:
    backend: str
    model: str
    prompt_version: str
    field: str
    accepted: int
    edited: int
    rejected: int

    @property
    def decided(self) -> int:
        return self.accepted + self.edited + self.rejected

    def share(self, decision: str) -> float | None:
        return getattr(self, decision) / self.decided if self.decided else None

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self) | {"decided": self.decided}
        return out | {f"{d}_share": self.share(d) for d in ("accepted", "edited", "rejected")}


@dataclass(frozen=True)
class Misses:
    backend: str
    model: str
    prompt_version: str
    kind: str
    added: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def field_verdicts(session: Session, run_id: int | None = None) -> list[FieldVerdicts]:
    """Decisions on the model's values, per backend, model, prompt version and field."""
    latest = latest_extractions()
    outcome = case(
        (col(Value.decision).is_not(None), Value.decision),
        (Record.rejected, Decision.REJECTED.value),
        else_=None,
    ).label("outcome")
    query = (
        select(
            Extraction.backend,
            Extraction.model,
            Extraction.prompt_version,
            Value.field,
            outcome,
            func.count(),
        )
        .join(Record, Record.id == Value.record_id)
        .join(Extraction, Extraction.id == Record.extraction_id)
        .join(latest, latest.c.extraction_id == Extraction.id)
        .where(
            Record.origin == Origin.MODEL, or_(col(Value.decision).is_not(None), Record.rejected)
        )
        .group_by(Extraction.backend, Extraction.model, Extraction.prompt_version, Value.field)
        .group_by(outcome)
    )
    if run_id is not None:
        query = query.where(Extraction.run_id == run_id)
    counts: dict[tuple, dict[str, int]] = {}
    for backend, model, prompt, field, decision, n in session.exec(query).all():
        counts.setdefault((backend, model, prompt, field), {})[decision] = n
    return [
        FieldVerdicts(
            *key,
            accepted=c.get(Decision.ACCEPTED, 0),
            edited=c.get(Decision.EDITED, 0),
            rejected=c.get(Decision.REJECTED, 0),
        )
        for key, c in sorted(counts.items())
    ]


def misses(session: Session, run_id: int | None = None) -> list[Misses]:
    """Records annotators added, per backend, model, prompt version and kind."""
    latest = latest_extractions()
    query = (
        select(
            Extraction.backend,
            Extraction.model,
            Extraction.prompt_version,
            Record.kind,
            func.count(),
        )
        .join(latest, latest.c.document_id == Record.document_id)
        .join(Extraction, Extraction.id == latest.c.extraction_id)
        .where(Record.origin == Origin.HUMAN)
        .group_by(Extraction.backend, Extraction.model, Extraction.prompt_version, Record.kind)
        .order_by(Extraction.backend, Extraction.model, Extraction.prompt_version, Record.kind)
    )
    if run_id is not None:
        query = query.where(Extraction.run_id == run_id)
    return [Misses(*row) for row in session.exec(query).all()]


@dataclass(frozen=True)
class DailyProgress:
    annotator: str
    day: date
    decisions: int
    documents_done: int


def daily_progress(session: Session) -> list[DailyProgress]:
    """Decisions and documents closed per annotator and day (UTC), for the stats page.

    On documents reviewed twice, judgements count as decisions and a closed
    pass as a document done.
    """
    decided = [
        *session.exec(
            select(Value.decided_by, Value.decided_at).where(col(Value.decided_at).is_not(None))
        ).all(),
        *session.exec(
            select(Judgement.annotator, Judgement.decided_at).where(
                col(Judgement.decided_at).is_not(None)
            )
        ).all(),
    ]
    done = [
        *session.exec(
            select(Document.done_by, Document.done_at).where(
                and_(col(Document.done_at).is_not(None), col(Document.done_by).is_not(None))
            )
        ).all(),
        *session.exec(
            select(ReviewCopy.annotator, ReviewCopy.done_at).where(
                col(ReviewCopy.done_at).is_not(None)
            )
        ).all(),
    ]
    counts: dict[tuple[str, date], list[int]] = {}
    for who, when in decided:
        counts.setdefault((who, when.date()), [0, 0])[0] += 1
    for who, when in done:
        counts.setdefault((who, when.date()), [0, 0])[1] += 1
    return [DailyProgress(who, day, *n) for (who, day), n in sorted(counts.items())]
