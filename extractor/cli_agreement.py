"""`athar agreement`: how far two annotators agree on the documents reviewed twice."""

import json
from typing import Annotated

import typer
from rich.table import Table

from db.agreement import agreement as measure
from db.engine import session_scope
from db.overlap import set_reviewer
from extractor.console import console, engine


def _cell(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def agreement(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")] = False,
) -> None:
    """Agreement between the two annotators of documents reviewed twice (ATHAR_OVERLAP).

    Per field: Cohen's kappa for categories, exact match for counts, span
    overlap for quotes.
    """
    with session_scope(engine()) as session:
        report = measure(session)
    if as_json:
        console.print_json(json.dumps(report.to_dict()))
        return
    table = Table(title=f"agreement over {report.documents} documents reviewed twice")
    for column in ("field", "pairs", "agree", "kappa", "quotes", "span overlap"):
        table.add_column(column, justify="left" if column == "field" else "right")
    for f in report.fields:
        table.add_row(
            f.field,
            str(f.pairs),
            _cell(f.observed),
            _cell(f.kappa) if f.field != "count" else "(exact)",
            str(f.span_pairs),
            _cell(f.span_overlap),
        )
    console.print(table)
    if not report.fields:
        console.print("no value has been judged by two annotators yet (see ATHAR_OVERLAP)")


def reviewer(
    name: Annotated[str, typer.Argument(help="The annotator's name.")],
    revoke: Annotated[bool, typer.Option("--revoke", help="Take the role back.")] = False,
) -> None:
    """Give an annotator the reviewer role (adjudication of documents reviewed twice)."""
    with session_scope(engine()) as session:
        person = set_reviewer(session, name, not revoke)
    console.print(f"{person.name} is now {'a reviewer' if not revoke else 'an annotator'}")
