"""What every extraction backend provides, so the batch runner and storage treat
the LLM and the offline rules alike (the review app tells them apart only by
provenance)."""

from dataclasses import dataclass, field
from typing import Any, Protocol

from db.extractions import Provenance
from schemas.records import GroundedRecord


@dataclass(frozen=True)
class Article:
    """The parts of a stored document a backend may read."""

    text: str
    published: str | None = None
    title: str | None = None


@dataclass
class BackendResult:
    records: list[GroundedRecord]
    provenance: Provenance = field(default_factory=Provenance)
    status: str = "ok"
    error: str | None = None


class Backend(Protocol):
    name: str
    model: str
    prompt_version: str
    endpoint_host: str | None
    params: dict[str, Any]

    async def extract(self, article: Article) -> BackendResult: ...
