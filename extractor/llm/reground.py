"""`athar reground --run R`: ground a run's stored answers again, without calling any model.

Grounding improves (a new normalisation, a better fuzzy threshold); the
model's answers do not need to be bought twice. For every extraction of the
run, the answers that were stored (one per article window) are read back
from the raw responses, checked again with the current validator, and their
records get the new citations in place (db.extractions.update_grounding),
keeping record and value ids, and so every review decision. The problems
that remain are written back into the stored attempts.
"""

from dataclasses import dataclass

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from db.engine import session_scope
from db.extractions import finish_run, start_run, update_grounding
from db.models import Document, Extraction, Record, Run, Value
from extractor.llm.backend import answer_text, report_from_answer
from extractor.llm.chunking import merge_reports


class RegroundError(ValueError):
    pass


@dataclass
class RegroundStats:
    run_id: int  # the run recording this re-grounding
    extractions: int = 0
    values_changed: int = 0
    unmatched: int = 0
    ungrounded_before: int = 0
    ungrounded_after: int = 0


def _ungrounded(session: Session, run_id: int) -> int:
    """Values of the run's successful extractions whose quote is not found in the article."""
    extractions = select(Extraction.id).where(
        Extraction.run_id == run_id, Extraction.status == "ok"
    )
    query = (
        select(func.count(Value.id))
        .join(Record, Record.id == Value.record_id)
        .where(col(Record.extraction_id).in_(extractions), Value.match == "none")
    )
    return session.exec(query).one()


def _reground_one(session: Session, extraction: Extraction) -> tuple[int, int]:
    document = session.get(Document, extraction.document_id)
    attempts, reports = [], []
    for entry in extraction.attempts:
        if entry.get("kind") == "response" and entry.get("stored"):
            window = tuple(entry["window"]) if entry.get("window") else (0, len(document.text))
            report = report_from_answer(document.text, answer_text(entry["raw"]), window)
            if report is not None:
                reports.append(report)
                entry = {**entry, "unresolved": [str(p) for p in report.problems]}
        attempts.append(entry)
    if not reports:
        return 0, 0
    changed, unmatched = update_grounding(session, extraction, merge_reports(reports).records)
    extraction.attempts = attempts  # a new list, so the JSON column is written
    session.add(extraction)
    return changed, unmatched


def reground_run(db: Engine, run_id: int) -> RegroundStats:
    """Re-ground every successful extraction of run `run_id`, one transaction each."""
    with session_scope(db) as session:
        source = session.get(Run, run_id)
        if source is None:
            raise RegroundError(f"no run {run_id}")
        ids = session.exec(
            select(Extraction.id)
            .where(Extraction.run_id == run_id, Extraction.status == "ok")
            .order_by(col(Extraction.id))
        ).all()
        first = session.get(Extraction, ids[0]) if ids else None
        if first is None or not any(a.get("stored") for a in first.attempts):
            raise RegroundError(f"run {run_id} has no stored model answers to ground again")
        run = start_run(
            session,
            backend="reground",
            model=source.model,
            endpoint_host=None,
            prompt_version=source.prompt_version,
            schema_version=source.schema_version,
            params={"of_run": run_id},
        )
        stats = RegroundStats(run_id=run.id, ungrounded_before=_ungrounded(session, run_id))
    for extraction_id in ids:
        with session_scope(db) as session:
            changed, unmatched = _reground_one(session, session.get(Extraction, extraction_id))
        stats.extractions += 1
        stats.values_changed += changed
        stats.unmatched += unmatched
    with session_scope(db) as session:
        stats.ungrounded_after = _ungrounded(session, run_id)
        finish_run(session, session.get(Run, stats.run_id), "done")
    return stats
