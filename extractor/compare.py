"""Two runs side by side against gold, and the reviews' verdict on each run.

A run is scored on what its backend proposed (the model's values and
spans), not on what reviewers made of them, so two models or two prompt
versions are compared on equal terms. Scoring itself is
`extractor.evaluation.score`; this module only gathers a run's output and
lays the numbers out.
"""

from dataclasses import dataclass
from typing import Any

from rich.table import Table
from sqlmodel import Session, col, select

from db.models import Document, Extraction, Record, Run, Value
from db.review_stats import FieldVerdicts, Misses
from extractor.evaluation import Scores, score
from schemas.codebook import MatchKind, RecordKind
from schemas.gold import GoldDocument, gold_document
from schemas.records import Citation, GroundedRecord, GroundedValue


def _model_value(text: str, v: Value) -> GroundedValue:
    spanned = v.model_start is not None and v.model_end is not None
    return GroundedValue(
        field=v.field,
        value=v.model_value,
        citation=Citation(
            quote=v.model_quote,
            source=text[v.model_start : v.model_end] if spanned else None,
            start=v.model_start if spanned else None,
            end=v.model_end if spanned else None,
            match=MatchKind(v.match) if v.match else None,
            score=v.score,
        ),
    )


def run_documents(session: Session, run_id: int) -> list[GoldDocument]:
    """What one run proposed, document by document, in the gold-v1 shape."""
    if session.get(Run, run_id) is None:
        raise ValueError(f"no run {run_id}")
    documents = []
    extractions = session.exec(
        select(Extraction, Document)
        .join(Document, Document.id == Extraction.document_id)
        .where(Extraction.run_id == run_id, Extraction.status == "ok")
        .order_by(col(Extraction.id))
    ).all()
    for extraction, document in extractions:
        records = session.exec(
            select(Record).where(Record.extraction_id == extraction.id).order_by(col(Record.id))
        ).all()
        values = session.exec(
            select(Value)
            .where(col(Value.record_id).in_([r.id for r in records]))
            .order_by(col(Value.id))
        ).all()
        grounded = [
            GroundedRecord(
                kind=RecordKind(r.kind),
                key=r.key,
                evidence=Citation(
                    quote=r.evidence_quote,
                    source=r.evidence_source,
                    start=r.evidence_start,
                    end=r.evidence_end,
                ),
                values=[_model_value(document.text, v) for v in values if v.record_id == r.id],
            )
            for r in records
        ]
        documents.append(
            gold_document(document.external_id or document.sha256, document.sha256, grounded)
        )
    return documents


@dataclass
class Comparison:
    runs: tuple[str, str]
    scores: tuple[Scores, Scores]

    def rows(self) -> list[tuple[str, float | None, float | None]]:
        """(metric, run A, run B) for every headline number and field accuracy."""
        a, b = self.scores
        out = []
        for part in ("figures", "figures_unknown", "events"):
            for metric in ("precision", "recall", "f1"):
                out.append(
                    (
                        f"{part} {metric}",
                        getattr(getattr(a, part), metric),
                        getattr(getattr(b, part), metric),
                    )
                )
        for part in ("figure_fields", "event_fields"):
            for name in getattr(a, part):
                label = f"{part.split('_')[0]} {name}"
                out.append((label, getattr(a, part)[name].value, getattr(b, part)[name].value))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "runs": list(self.runs),
            "scores": [s.to_dict() for s in self.scores],
            "rows": [{"metric": m, "a": x, "b": y} for m, x, y in self.rows()],
        }


def run_label(session: Session, run_id: int) -> str:
    run = session.get(Run, run_id)
    return f"run {run_id}: {run.backend} {run.model} {run.prompt_version}"


def compare(session: Session, gold: list[GoldDocument], run_a: int, run_b: int) -> Comparison:
    """Score two runs against the same gold; documents a run lacks count as missed."""
    return Comparison(
        (run_label(session, run_a), run_label(session, run_b)),
        (score(gold, run_documents(session, run_a)), score(gold, run_documents(session, run_b))),
    )


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def comparison_table(comparison: Comparison) -> Table:
    table = Table(title="two runs against the same gold")
    table.add_column("metric")
    table.add_column(comparison.runs[0], justify="right")
    table.add_column(comparison.runs[1], justify="right")
    table.add_column("B - A", justify="right")
    for metric, a, b in comparison.rows():
        delta = "-" if a is None or b is None else f"{b - a:+.3f}"
        table.add_row(metric, _cell(a), _cell(b), delta)
    return table


def verdicts_table(verdicts: list[FieldVerdicts], missed: list[Misses]) -> list[Table]:
    """The reviews' verdicts per field, then the records annotators had to add."""
    shares = Table(title="review verdicts on the model's values")
    for column in ("backend", "model", "prompt", "field", "decided"):
        shares.add_column(column, justify="right" if column == "decided" else "left")
    for column in ("accepted", "edited", "rejected"):
        shares.add_column(column, justify="right")
    for v in verdicts:
        shares.add_row(
            v.backend,
            v.model,
            v.prompt_version,
            v.field,
            str(v.decided),
            *(_cell(v.share(d)) for d in ("accepted", "edited", "rejected")),
        )
    added = Table(title="records annotators added (the model's misses)")
    for column in ("backend", "model", "prompt", "kind", "added"):
        added.add_column(column, justify="right" if column == "added" else "left")
    for m in missed:
        added.add_row(m.backend, m.model, m.prompt_version, m.kind, str(m.added))
    return [shares, added]
