"""SQLModel tables.

The database is the single source of truth for documents, extraction runs,
values and every review decision. Tables are plain rows; the rules about how
they change live in the functions of `db.documents`, `db.extractions` and
`db.review`, never in the callers.
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class Document(SQLModel, table=True):
    __tablename__ = "documents"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(index=True, unique=True, max_length=64)
    text: str
    external_id: str | None = Field(default=None, index=True)
    title: str | None = None
    url: str | None = None
    published: str | None = None
    outlet: str | None = None
    source_path: str | None = None
    ingested_at: datetime = Field(default_factory=utcnow)
    state: str = Field(default="new", index=True)
    claimed_by: str | None = None
    lease_until: datetime | None = None
    done_by: str | None = None
    done_at: datetime | None = None


class Annotator(SQLModel, table=True):
    __tablename__ = "annotators"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)
    role: str = "annotator"
    created_at: datetime = Field(default_factory=utcnow)


class Run(SQLModel, table=True):
    """One invocation of `athar extract` (or `reground`): the settings shared by its extractions."""

    __tablename__ = "runs"

    id: int | None = Field(default=None, primary_key=True)
    backend: str
    model: str
    endpoint_host: str | None = None
    prompt_version: str
    schema_version: str
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    status: str = "running"


class Extraction(SQLModel, table=True):
    """One document through one backend: its provenance, raw responses, usage and cost."""

    __tablename__ = "extractions"
    __table_args__ = (
        Index("ix_extractions_key", "text_sha256", "prompt_version", "schema_version", "model"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="runs.id", index=True)
    document_id: int = Field(foreign_key="documents.id", index=True)
    text_sha256: str = Field(max_length=64)
    backend: str
    model: str
    prompt_version: str
    schema_version: str
    status: str = "ok"
    error: str | None = None
    attempts: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float = 0.0
    latency_s: float = 0.0
    created_at: datetime = Field(default_factory=utcnow)


class Record(SQLModel, table=True):
    """One figure or event in a document, from a backend or added by a reviewer."""

    __tablename__ = "records"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id", index=True)
    extraction_id: int | None = Field(default=None, foreign_key="extractions.id", index=True)
    kind: str
    key: str
    origin: str = "model"
    evidence_quote: str | None = None
    evidence_source: str | None = None
    evidence_start: int | None = None
    evidence_end: int | None = None
    evidence_match: str | None = None
    rejected: bool = False


class Value(SQLModel, table=True):
    """One field of a record: the model's value and citation, and the reviewed one.

    `version` grows with every change so a write based on a stale view is refused.
    """

    __tablename__ = "record_values"
    __table_args__ = (UniqueConstraint("record_id", "field"),)

    id: int | None = Field(default=None, primary_key=True)
    record_id: int = Field(foreign_key="records.id", index=True)
    document_id: int = Field(foreign_key="documents.id", index=True)
    field: str
    model_value: Any = Field(default=None, sa_column=Column(JSON))
    model_quote: str | None = None
    model_start: int | None = None
    model_end: int | None = None
    match: str | None = Field(default=None, index=True)
    score: float = 0.0
    value: Any = Field(default=None, sa_column=Column(JSON))
    quote: str | None = None
    source: str | None = None
    start: int | None = None
    end: int | None = None
    decision: str | None = Field(default=None, index=True)
    decided_by: str | None = None
    decided_at: datetime | None = None
    version: int = 0


class AuditEntry(SQLModel, table=True):
    """Append-only log of every change a person made: who, when, before, after."""

    __tablename__ = "audit_log"

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id", index=True)
    record_id: int | None = Field(default=None, foreign_key="records.id")
    value_id: int | None = Field(default=None, foreign_key="record_values.id", index=True)
    annotator: str
    action: str
    before: Any = Field(default=None, sa_column=Column(JSON))
    after: Any = Field(default=None, sa_column=Column(JSON))
    at: datetime = Field(default_factory=utcnow)


class ReviewCopy(SQLModel, table=True):
    """One annotator's independent pass over a document reviewed twice (ATHAR_OVERLAP).

    A document gets at most two, one per `slot`; the unique constraints make a
    third claimant lose in the database rather than in application code.
    """

    __tablename__ = "review_copies"
    __table_args__ = (
        UniqueConstraint("document_id", "slot"),
        UniqueConstraint("document_id", "annotator"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id", index=True)
    slot: int
    annotator: str
    claimed_at: datetime = Field(default_factory=utcnow)
    lease_until: datetime | None = None
    done_at: datetime | None = None


class Judgement(SQLModel, table=True):
    """One annotator's decision on one value of a document reviewed twice.

    Kept apart from the value's final state so the two passes stay independent
    and agreement can be measured; the value itself is decided at adjudication.
    """

    __tablename__ = "judgements"
    __table_args__ = (UniqueConstraint("value_id", "annotator"),)

    id: int | None = Field(default=None, primary_key=True)
    value_id: int = Field(foreign_key="record_values.id", index=True)
    document_id: int = Field(foreign_key="documents.id", index=True)
    annotator: str
    decision: str | None = None
    value: Any = Field(default=None, sa_column=Column(JSON))
    quote: str | None = None
    source: str | None = None
    start: int | None = None
    end: int | None = None
    decided_at: datetime | None = None
    version: int = 0


class ExtractionClaim(SQLModel, table=True):
    """A worker's time-limited hold on one document for one extraction key.

    The key is (model, prompt version, schema version), so workers running
    different models never block each other. The primary key makes a second
    claim on the same document and key lose in the database; a dead worker's
    claims lapse with their lease.
    """

    __tablename__ = "extraction_claims"

    document_id: int = Field(foreign_key="documents.id", primary_key=True)
    claim_key: str = Field(primary_key=True)
    worker: str = Field(index=True)
    claimed_at: datetime = Field(default_factory=utcnow)
    lease_until: datetime


class OpenAIBatch(SQLModel, table=True):
    """One job submitted to the OpenAI Batch API, collected into its run when it completes."""

    __tablename__ = "openai_batches"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: str = Field(unique=True)
    run_id: int = Field(foreign_key="runs.id", index=True)
    input_file_id: str
    requests: int
    status: str = "submitted"
    output_file_id: str | None = None
    error_file_id: str | None = None
    submitted_at: datetime = Field(default_factory=utcnow)
    collected_at: datetime | None = None
