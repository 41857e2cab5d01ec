"""`athar eval --compare` and `--reviews`: two runs side by side, and the reviews' verdicts.

A run is scored on what its backend proposed (`extractor.predictions`: the
model's values and spans, not what reviewers made of them), so two models or
two prompt versions are compared on equal terms, with `extractor.evaluation`'s
scoring. The reviews' verdicts come from `db.review_stats`.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from sqlmodel import Session

from db.engine import session_scope
from db.models import Run
from db.review_stats import FieldVerdicts, Misses, field_verdicts, misses
from extractor.console import console, engine, errors
from extractor.evaluation import Scores, score
from extractor.predictions import PredictionError, read_gold_file, run_predictions
from schemas.gold import GoldDocument


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
    if run is None:
        raise PredictionError(f"no run {run_id} in the database (see `athar status`)")
    return f"run {run_id}: {run.backend} {run.model} {run.prompt_version}"


def compare(session: Session, gold: list[GoldDocument], run_a: int, run_b: int) -> Comparison:
    """Score two runs against the same gold; documents a run lacks count as missed."""
    return Comparison(
        (run_label(session, run_a), run_label(session, run_b)),
        (
            score(gold, run_predictions(session, run_a)),
            score(gold, run_predictions(session, run_b)),
        ),
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
        shares.add_column(
            column, justify="right" if column == "decided" else "left", no_wrap=column == "field"
        )
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


def review_report(
    verdicts: list[FieldVerdicts], missed: list[Misses], run_id: int | None
) -> dict[str, Any]:
    """The `--reviews` numbers as one JSON-ready dict."""
    return {
        "run": run_id,
        "fields": [v.to_dict() for v in verdicts],
        "added_records": [m.to_dict() for m in missed],
    }


def print_reviews(run_id: int | None, as_json: bool) -> None:
    with session_scope(engine()) as session:
        verdicts, missed = field_verdicts(session, run_id), misses(session, run_id)
    if as_json:
        report = review_report(verdicts, missed, run_id)
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    for table in verdicts_table(verdicts, missed):
        console.print(table)


def print_comparison(gold_path: Path, run_a: int, run_b: int, as_json: bool) -> None:
    try:
        gold = read_gold_file(gold_path)
        with session_scope(engine()) as session:
            result = compare(session, gold, run_a, run_b)
    except PredictionError as error:
        errors.print(f"[red]error:[/] {error}", highlight=False)
        raise typer.Exit(1) from error
    if as_json:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    console.print(comparison_table(result))
