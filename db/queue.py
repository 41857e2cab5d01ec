"""The review queue: which documents need a person, in which order.

Counts are taken over the values a reviewer actually sees (the latest
extraction's records plus the ones people added, minus rejected records),
the same set `db.review.current_records` returns, so the queue's "12 to
review" and the document view never disagree. Everything is computed in one
SQL statement so the queue opens quickly on a large corpus.
"""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Select, and_, case, exists, false, func, literal, or_, select
from sqlmodel import Session, col

from db.extractions import latest_extractions
from db.models import Annotator, Document, Extraction, Record, Value, utcnow
from db.review import claim_next, claimable
from schemas.codebook import DocState, MatchKind, Origin


class Order(StrEnum):
    """How the queue is sorted: by what needs a person most, or by publication date."""

    NEED = "need"
    OLDEST = "oldest"
    NEWEST = "newest"


@dataclass(frozen=True)
class QueueFilter:
    """Empty fields do not filter."""

    states: tuple[str, ...] = ()
    backend: str | None = None
    model: str | None = None
    prompt_version: str | None = None
    annotator: str | None = None


EVERYTHING = QueueFilter()


@dataclass(frozen=True)
class QueueRow:
    id: int
    title: str | None
    external_id: str | None
    published: str | None
    state: str
    claimed_by: str | None
    lease_until: datetime | None
    done_by: str | None
    backend: str | None
    model: str | None
    prompt_version: str | None
    total: int
    pending: int
    ungrounded: int
    fuzzy: int


@dataclass(frozen=True)
class QueueSummary:
    documents: int
    by_state: dict[str, int]
    values: int
    decided: int


@dataclass(frozen=True)
class FilterChoices:
    backends: list[str]
    models: list[str]
    prompt_versions: list[str]
    annotators: list[str]


def _pending_where(condition):
    return func.coalesce(func.sum(case((and_(col(Value.decision).is_(None), condition), 1))), 0)


def _counts(latest):
    """Per document: live values, those still pending, and the pending ones badly grounded."""
    return (
        select(
            Record.document_id.label("document_id"),
            func.count(Value.id).label("total"),
            _pending_where(literal(True)).label("pending"),
            _pending_where(Value.match == MatchKind.NONE).label("ungrounded"),
            _pending_where(Value.match == MatchKind.FUZZY).label("fuzzy"),
        )
        .join(Value, Value.record_id == Record.id)
        .outerjoin(latest, latest.c.document_id == Record.document_id)
        .where(
            Record.rejected == false(),
            or_(Record.origin == Origin.HUMAN, Record.extraction_id == latest.c.extraction_id),
        )
        .group_by(Record.document_id)
        .subquery("counts")
    )


def _worked_on(annotator: str):
    """Documents a person holds, closed, or decided a value in."""
    return or_(
        Document.claimed_by == annotator,
        Document.done_by == annotator,
        exists().where(Value.document_id == Document.id, Value.decided_by == annotator),
    )


def _base(filters: QueueFilter) -> tuple[Select, dict]:
    latest = latest_extractions()
    counts = _counts(latest)
    columns = {
        "total": func.coalesce(counts.c.total, 0),
        "pending": func.coalesce(counts.c.pending, 0),
        "ungrounded": func.coalesce(counts.c.ungrounded, 0),
        "fuzzy": func.coalesce(counts.c.fuzzy, 0),
    }
    query = (
        select(
            Document.id,
            Document.title,
            Document.external_id,
            Document.published,
            Document.state,
            Document.claimed_by,
            Document.lease_until,
            Document.done_by,
            Extraction.backend,
            Extraction.model,
            Extraction.prompt_version,
            *(c.label(name) for name, c in columns.items()),
        )
        .select_from(Document)
        .outerjoin(latest, latest.c.document_id == Document.id)
        .outerjoin(Extraction, Extraction.id == latest.c.extraction_id)
        .outerjoin(counts, counts.c.document_id == Document.id)
    )
    if filters.states:
        query = query.where(col(Document.state).in_(filters.states))
    for column, wanted in (
        (Extraction.backend, filters.backend),
        (Extraction.model, filters.model),
        (Extraction.prompt_version, filters.prompt_version),
    ):
        if wanted:
            query = query.where(column == wanted)
    if filters.annotator:
        query = query.where(_worked_on(filters.annotator))
    return query, columns


def _ordered(query: Select, columns: dict, order: Order) -> Select:
    if order == Order.NEED:
        need = case(
            (Document.state == DocState.DONE, 4),
            (columns["ungrounded"] > 0, 0),
            (columns["fuzzy"] > 0, 1),
            (columns["pending"] > 0, 2),
            else_=3,
        )
        return query.order_by(need, Document.id)
    published = col(Document.published)
    direction = published.asc() if order == Order.OLDEST else published.desc()
    return query.order_by(published.is_(None), direction, Document.id)


def queue_page(
    session: Session,
    filters: QueueFilter = EVERYTHING,
    order: Order = Order.NEED,
    *,
    limit: int = 25,
    offset: int = 0,
) -> tuple[list[QueueRow], int]:
    """One page of the queue and the number of documents matching the filters."""
    query, columns = _base(filters)
    query = _ordered(query.add_columns(func.count().over().label("matching")), columns, order)
    rows = session.exec(query.limit(limit).offset(offset)).all()
    matching = rows[0].matching if rows else _matching(session, filters)
    return [QueueRow(*row[:-1]) for row in rows], matching


def _matching(session: Session, filters: QueueFilter) -> int:
    query, _ = _base(filters)
    return session.scalar(select(func.count()).select_from(query.subquery()))


def next_candidates(
    session: Session,
    annotator: str,
    filters: QueueFilter = EVERYTHING,
    order: Order = Order.NEED,
    *,
    limit: int = 20,
    exclude: tuple[int, ...] = (),
) -> list[int]:
    """Ids this annotator could open now, in queue order (nobody else holds them)."""
    query, columns = _base(filters)
    query = query.where(claimable(annotator, utcnow()))
    if exclude:
        query = query.where(col(Document.id).not_in(exclude))
    return [row.id for row in session.exec(_ordered(query, columns, order).limit(limit)).all()]


def open_next(
    session: Session,
    annotator: str,
    filters: QueueFilter = EVERYTHING,
    order: Order = Order.NEED,
    *,
    exclude: tuple[int, ...] = (),
) -> Document | None:
    """Claim the first document in queue order that nobody else holds.

    Two annotators asking at once get different documents: each claim is one
    conditional UPDATE, and a lost race moves on to the next candidate.
    """
    while True:
        candidates = next_candidates(session, annotator, filters, order, exclude=exclude)
        if not candidates:
            return None
        document = claim_next(session, annotator, candidates)
        if document is not None:
            return document
        exclude = (*exclude, *candidates)


def queue_summary(session: Session, filters: QueueFilter = EVERYTHING) -> QueueSummary:
    """Documents by state and values decided, over everything the filters match."""
    query, _ = _base(filters)
    rows = query.subquery()
    by_state = dict(session.exec(select(rows.c.state, func.count()).group_by(rows.c.state)).all())
    values, pending = session.exec(
        select(func.coalesce(func.sum(rows.c.total), 0), func.coalesce(func.sum(rows.c.pending), 0))
    ).one()
    return QueueSummary(sum(by_state.values()), by_state, int(values), int(values - pending))


def filter_choices(session: Session) -> FilterChoices:
    """The values each queue filter can take, from what is in the database."""

    def distinct(column) -> list[str]:
        return [v for v in session.scalars(select(column).distinct().order_by(column)) if v]

    names = {
        *distinct(Annotator.name),
        *distinct(Document.claimed_by),
        *distinct(Document.done_by),
        *distinct(Value.decided_by),
    }
    return FilterChoices(
        backends=distinct(Extraction.backend),
        models=distinct(Extraction.model),
        prompt_versions=distinct(Extraction.prompt_version),
        annotators=sorted(names),
    )
