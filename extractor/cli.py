"""The `athar` command: one sub-command per step of the workflow."""

from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from db.documents import add_document, corpus_status
from db.engine import session_scope
from extractor.cli_agreement import agreement, reviewer
from extractor.cli_eval import eval_command
from extractor.cli_export import export
from extractor.cli_extract import batch_app, extract, reground
from extractor.cli_import import import_
from extractor.cli_review import annotator_app, review
from extractor.console import console, engine, errors, use_database
from extractor.ingest import Problem, read_paths

app = typer.Typer(
    help="athar: Arabic conflict news into a reviewed, citable dataset.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    db: Annotated[
        str | None,
        typer.Option(
            "--db", help="Database URL or SQLite file (default: DATABASE_URL, else ATHAR_DB)."
        ),
    ] = None,
) -> None:
    use_database(db)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files (.txt .jsonl .csv .html) or folders.")],
) -> None:
    """Store articles exactly as received, skipping texts already stored."""
    added = duplicates = 0
    reasons: Counter[str] = Counter()
    with session_scope(engine()) as session:
        for item in read_paths(paths):
            if isinstance(item, Problem):
                errors.print(f"[yellow]skipped[/] {item}", highlight=False, soft_wrap=True)
                reasons[item.reason.split(" (")[0]] += 1
                continue
            if add_document(session, item) is None:
                duplicates += 1
            else:
                added += 1
    skipped = sum(reasons.values())
    console.print(f"added {added}, duplicates {duplicates}, skipped {skipped}")
    for reason, count in sorted(reasons.items()):
        console.print(f"  skipped {count}: {reason}")


@app.command()
def status() -> None:
    """Documents, extractions and values by review state."""
    with session_scope(engine()) as session:
        report = corpus_status(session)
    table = Table(title="athar status")
    table.add_column("what")
    table.add_column("count", justify="right")
    documents = sum(report.documents_by_state.values())
    table.add_row("documents", str(documents))
    for state in ("new", "in_progress", "done"):
        table.add_row(f"  {state}", str(report.documents_by_state.get(state, 0)))
    table.add_row("documents extracted", str(report.extracted_documents))
    table.add_row("records", str(report.records))
    table.add_row("values", str(sum(report.values_by_review.values())))
    for decision in ("pending", "accepted", "edited", "rejected"):
        table.add_row(f"  {decision}", str(report.values_by_review.get(decision, 0)))
    for match in ("exact", "normalized", "fuzzy", "none", "uncited"):
        label = "  no quote" if match == "uncited" else f"  quote {match}"
        table.add_row(label, str(report.values_by_match.get(match, 0)))
    console.print(table)


app.command()(export)
app.command()(extract)
app.command()(reground)
app.add_typer(batch_app, name="batch")
app.command("import")(import_)
app.command()(review)
app.add_typer(annotator_app, name="annotator")
app.command()(agreement)
app.command()(reviewer)
app.command("eval")(eval_command)
