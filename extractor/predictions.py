"""Where the predictions `athar eval` scores come from, all as gold-v1 documents.

A gold-v1 file, a stored run, or the rules backend run on the spot over the
gold documents' texts: each becomes `GoldDocument`s, so one scorer serves
all three and a run scores the same read from the database or its export.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, col, select

from db.documents import NewDocument, text_sha256
from db.models import Document, Extraction, Run
from db.reviewed import proposed_records
from extractor.ingest import Problem, read_paths
from extractor.rules import extract_records
from schemas.gold import GoldDocument, gold_document


class PredictionError(Exception):
    """Predictions cannot be read; the message says what to do."""


def read_gold_file(path: Path) -> list[GoldDocument]:
    """A gold-v1 JSONL file (one document per line)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise PredictionError(f"cannot read {path}: {error.strerror}") from error
    documents = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            documents.append(GoldDocument.model_validate_json(line))
        except ValueError as error:
            raise PredictionError(f"{path}:{number}: not a gold-v1 document ({error})") from error
    return documents


# --- a stored run ----------------------------------------------------------------------


def run_predictions(session: Session, run_id: int) -> list[GoldDocument]:
    """What a stored run extracted, one document per successful extraction."""
    if session.get(Run, run_id) is None:
        raise PredictionError(f"no run {run_id} in the database (see `athar status`)")
    rows = session.exec(
        select(Extraction, Document)
        .join(Document, col(Document.id) == Extraction.document_id)
        .where(Extraction.run_id == run_id, Extraction.status == "ok")
        .order_by(col(Extraction.id))
    ).all()
    return [
        gold_document(
            document.external_id or document.sha256,
            document.sha256,
            proposed_records(session, extraction.id, document.text),
        )
        for extraction, document in rows
    ]


# --- the rules backend, run now -----------------------------------------------------------


@dataclass(frozen=True)
class Text:
    doc_id: str
    text: str
    published: str | None = None

    @property
    def sha256(self) -> str:
        return text_sha256(self.text)


def predict(texts: Iterable[Text]) -> list[GoldDocument]:
    """Run the rules backend over texts, in this process."""
    return [gold_document(t.doc_id, t.sha256, extract_records(t.text, t.published)) for t in texts]


def texts_from_file(path: Path) -> list[Text]:
    texts = []
    for item in read_paths([path]):
        if isinstance(item, Problem):
            raise PredictionError(str(item))
        texts.append(_text(item))
    return texts


def _text(item: NewDocument | Document) -> Text:
    doc_id = item.external_id or text_sha256(item.text)
    return Text(doc_id, item.text, item.published)


def texts_for_gold(
    gold: list[GoldDocument], session: Session | None, texts_file: Path | None
) -> list[Text]:
    """The texts of the gold documents, from a texts file or the database.

    Every gold document must be found (by text_sha256, else by doc_id);
    otherwise the error lists the missing ones and says how to add them.
    """
    available = texts_from_file(texts_file) if texts_file else []
    by_sha = {t.sha256: t for t in available}
    by_id = {t.doc_id: t for t in available}
    found, missing = [], []
    for doc in gold:
        text = by_sha.get(doc.text_sha256) if doc.text_sha256 else by_id.get(doc.doc_id)
        if text is None and texts_file is None and session is not None:
            stored = session.exec(
                select(Document).where(
                    Document.sha256 == doc.text_sha256
                    if doc.text_sha256
                    else Document.external_id == doc.doc_id
                )
            ).first()
            text = _text(stored) if stored else None
        if text is None:
            missing.append(doc.doc_id)
        else:
            found.append(Text(doc.doc_id, text.text, text.published))
    if missing:
        where = f"in {texts_file}" if texts_file else "in the database"
        shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        hint = (
            "pass the texts with --texts FILE"
            if texts_file
            else "store them first with `athar ingest FILE` (or pass --texts FILE)"
        )
        raise PredictionError(f"{len(missing)} gold document(s) not found {where}: {shown}; {hint}")
    return found
