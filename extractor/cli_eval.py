"""`athar eval`: score predictions against gold in the gold-v1 format."""

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from db.engine import session_scope
from extractor.compare import print_comparison, print_reviews
from extractor.console import console, engine, errors
from extractor.evaluation import Accuracy, DocumentScores, Scores, count_text, score
from extractor.predictions import (
    PredictionError,
    predict,
    read_gold_file,
    run_predictions,
    texts_for_gold,
)
from schemas.gold import GoldDocument


class EvalBackend(StrEnum):
    RULES = "rules"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def scores_table(scores: Scores, title: str = "athar eval") -> Table:
    table = Table(title=f"{title}: {len(scores.documents)} documents")
    for column in ("records", "precision", "recall", "F1", "matched", "predicted", "gold"):
        table.add_column(column, justify="left" if column == "records" else "right")
    rows = (
        ("figures with a number", scores.figures),
        ("figures without a number", scores.figures_unknown),
        ("events", scores.events),
    )
    for label, prf in rows:
        table.add_row(
            label,
            _pct(prf.precision),
            _pct(prf.recall),
            _pct(prf.f1),
            str(prf.matched),
            str(prf.predicted),
            str(prf.gold),
        )
    return table


def accuracy_table(title: str, fields: dict[str, Accuracy]) -> Table:
    table = Table(title=title)
    table.add_column("field")
    for column in ("accuracy", "right", "of"):
        table.add_column(column, justify="right")
    for name, acc in fields.items():
        table.add_row(name, _pct(acc.value), str(acc.correct), str(acc.total))
    return table


def document_table(doc: DocumentScores) -> Table:
    f, e = doc.figures, doc.events
    table = Table(
        title=f"{doc.doc_id}: figures F1 {_pct(f.f1)} ({f.matched}/{f.predicted}/{f.gold}), "
        f"events F1 {_pct(e.f1)} ({e.matched}/{e.predicted}/{e.gold})"
        + ("" if doc.predicted else " [no prediction for this document]"),
        title_justify="left",
        show_lines=False,
    )
    for column in ("", "id", "what", "quote", "evidence"):
        table.add_column(column, overflow="fold")
    for label, figures in (("miss", doc.figure_misses), ("false", doc.figure_false_alarms)):
        for fig in figures:
            table.add_row(
                label,
                fig.id,
                f"{fig.category} {count_text(fig)}",
                fig.count_quote or "",
                fig.evidence or "",
            )
    for label, events in (("miss", doc.event_misses), ("false", doc.event_false_alarms)):
        for ev in events:
            where = ev.location_name or ev.admin1 or ev.country or "?"
            table.add_row(
                label,
                ev.id,
                f"{ev.event_type} @ {where}",
                ev.trigger_quote or "",
                ev.evidence or "",
            )
    return table


def print_scores(scores: Scores, per_doc: bool) -> None:
    console.print(scores_table(scores))
    console.print(
        accuracy_table("figures: field accuracy over matched pairs", scores.figure_fields)
    )
    console.print(accuracy_table("events: field accuracy over matched pairs", scores.event_fields))
    if scores.missing_predictions:
        console.print(
            f"[yellow]{len(scores.missing_predictions)} gold documents have no prediction "
            f"(scored as all missed)[/]: {', '.join(scores.missing_predictions)}"
        )
    if scores.unscored_predictions:
        console.print(
            f"{len(scores.unscored_predictions)} predicted documents are not in the gold file"
        )
    if per_doc:
        for doc in scores.documents:
            console.print(document_table(doc))


def predictions(
    gold: list[GoldDocument],
    run: int | None,
    backend: EvalBackend | None,
    pred: Path | None,
    texts: Path | None,
) -> list[GoldDocument]:
    """The predictions named on the command line (exactly one source)."""
    if pred is not None:
        return read_gold_file(pred)
    if run is not None:
        with session_scope(engine()) as session:
            return run_predictions(session, run)
    if texts is not None:
        return predict(texts_for_gold(gold, None, texts))
    with session_scope(engine()) as session:
        return predict(texts_for_gold(gold, session, None))


def eval_command(
    gold: Annotated[
        Path | None, typer.Option("--gold", help="Gold file in the gold-v1 format.")
    ] = None,
    run: Annotated[int | None, typer.Option("--run", help="Score a stored run by its id.")] = None,
    backend: Annotated[
        EvalBackend | None,
        typer.Option("--backend", help="Run this backend now over the gold documents' texts."),
    ] = None,
    pred: Annotated[
        Path | None, typer.Option("--pred", help="Score a predictions file (gold-v1).")
    ] = None,
    texts: Annotated[
        Path | None,
        typer.Option(
            "--texts", help="With --backend: read the texts from this file, not the database."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
    per_doc: Annotated[
        bool, typer.Option("--per-doc", help="List each document's misses and false alarms.")
    ] = False,
    compare: Annotated[
        tuple[int, int] | None,
        typer.Option("--compare", help="Score two stored runs side by side: RUN_A RUN_B."),
    ] = None,
    reviews: Annotated[
        bool,
        typer.Option(
            "--reviews",
            help="Share of values reviewers accepted, edited, rejected (--run to narrow); no gold.",
        ),
    ] = False,
) -> None:
    """Score a run, a backend or a predictions file against gold; compare runs; read reviews."""
    if reviews:
        return print_reviews(run, as_json)
    if gold is None:
        errors.print("--gold is required (except with --reviews)")
        raise typer.Exit(2)
    if compare:
        return print_comparison(gold, *compare, as_json)
    chosen = [x for x in (run, backend, pred) if x is not None]
    if len(chosen) != 1:
        errors.print("give exactly one of --run, --backend or --pred")
        raise typer.Exit(2)
    if texts is not None and backend is None:
        errors.print("--texts goes with --backend")
        raise typer.Exit(2)
    try:
        gold_documents = read_gold_file(gold)
        predicted = predictions(gold_documents, run, backend, pred, texts)
    except PredictionError as error:
        errors.print(f"[red]error:[/] {error}", highlight=False)
        raise typer.Exit(1) from error
    scores = score(gold_documents, predicted)
    if as_json:
        typer.echo(json.dumps(scores.to_dict(per_doc=per_doc), ensure_ascii=False, indent=2))
    else:
        print_scores(scores, per_doc)
