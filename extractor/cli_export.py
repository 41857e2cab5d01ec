"""`athar export`: write the reviewed dataset."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from db.engine import session_scope
from extractor.console import console, engine
from extractor.files import atomic_write
from extractor.gold_export import gold_documents


class ExportFormat(StrEnum):
    GOLD_V1 = "gold-v1"


class ExportState(StrEnum):
    DONE = "done"
    ALL = "all"


def export(
    out: Annotated[Path, typer.Option("--out", help="File to write (replaced atomically).")],
    format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.GOLD_V1,
    state: Annotated[
        ExportState,
        typer.Option(help="done: reviewed documents only; all: unreviewed ones as extracted."),
    ] = ExportState.DONE,
) -> None:
    """Export documents with their final values."""
    count = 0
    with session_scope(engine()) as session, atomic_write(out, encoding="utf-8") as handle:
        for document in gold_documents(session, state):
            handle.write(document.model_dump_json() + "\n")
            count += 1
    console.print(f"wrote {count} documents to {out} ({format})")
