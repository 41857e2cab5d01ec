"""The `gold-v1` interchange export: reviewed values where a decision exists,
the latest extraction elsewhere, in the format `athar eval` and the shared
gold files use."""

from collections.abc import Iterator

from sqlmodel import Session

from db.reviewed import documents_to_export, reviewed_records
from schemas.gold import GoldDocument, gold_document


def gold_documents(session: Session, state: str = "done") -> Iterator[GoldDocument]:
    for document in documents_to_export(session, state):
        yield gold_document(
            document.external_id or document.sha256,
            document.sha256,
            reviewed_records(session, document.id),
        )
