"""The `gold-v1` interchange export: reviewed values where a decision exists,
the latest extraction elsewhere, in the format `athar eval` and the shared
gold files use."""

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import IO

from sqlmodel import Session

from db.dump import DocumentDump, document_dumps
from db.reviewed import final_records
from schemas.gold import GoldDocument, gold_document


def gold_of(dump: DocumentDump) -> GoldDocument:
    document = dump.document
    return gold_document(
        document.external_id or document.sha256, document.sha256, final_records(dump.views)
    )


def gold_documents(
    session: Session, state: str = "done", since: datetime | None = None
) -> Iterator[GoldDocument]:
    for dump in document_dumps(session, state, since):
        yield gold_of(dump)


def write_gold(dumps: Iterable[DocumentDump], handle: IO[str]) -> int:
    count = 0
    for dump in dumps:
        handle.write(gold_of(dump).model_dump_json() + "\n")
        count += 1
    return count
