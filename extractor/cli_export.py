"""`athar export`: write the reviewed dataset in one of several formats."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated

import typer

from db.dump import DocumentDump, document_dumps
from db.engine import session_scope
from extractor.console import console, engine
from extractor.exports.acled import write_acled
from extractor.exports.csv_file import write_csv
from extractor.exports.jsonl import write_jsonl
from extractor.exports.parquet_file import write_parquet
from extractor.files import atomic_write
from extractor.gold_export import write_gold


class ExportFormat(StrEnum):
    JSONL = "jsonl"
    GOLD_V1 = "gold-v1"
    CSV = "csv"
    PARQUET = "parquet"
    ACLED_CSV = "acled-csv"


class ExportState(StrEnum):
    DONE = "done"
    ALL = "all"


@dataclass(frozen=True)
class Writer:
    write: Callable[[Iterable[DocumentDump], IO], int]
    open_args: dict
    history: bool = False


TEXT = {"mode": "w", "encoding": "utf-8"}
WRITERS: dict[ExportFormat, Writer] = {
    ExportFormat.JSONL: Writer(write_jsonl, TEXT, history=True),
    ExportFormat.GOLD_V1: Writer(write_gold, TEXT),
    ExportFormat.CSV: Writer(write_csv, TEXT | {"newline": ""}),
    ExportFormat.PARQUET: Writer(write_parquet, {"mode": "wb"}),
    ExportFormat.ACLED_CSV: Writer(write_acled, TEXT | {"newline": ""}),
}


def export_to(
    session,
    out: Path,
    format: ExportFormat = ExportFormat.JSONL,
    state: str = ExportState.DONE,
    since: datetime | None = None,
) -> int:
    """Write the export to `out` atomically; returns the number of documents written."""
    writer = WRITERS[ExportFormat(format)]
    with atomic_write(out, **writer.open_args) as handle:
        return writer.write(document_dumps(session, state, since, history=writer.history), handle)


def _since(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=UTC) if value and value.tzinfo is None else value


def export(
    out: Annotated[Path, typer.Option("--out", help="File to write (replaced atomically).")],
    format: Annotated[ExportFormat, typer.Option("--format")] = ExportFormat.JSONL,
    state: Annotated[
        ExportState,
        typer.Option(help="done: reviewed documents only; all: unreviewed ones as extracted."),
    ] = ExportState.DONE,
    since: Annotated[
        datetime | None,
        typer.Option(
            help="Only documents marked done at or after this date (UTC), e.g. 2026-03-01.",
            formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"],
        ),
    ] = None,
) -> None:
    """Export documents with their final values (jsonl, gold-v1, csv, parquet, acled-csv)."""
    with session_scope(engine()) as session:
        count = export_to(session, out, format, state, _since(since))
    console.print(f"wrote {count} documents to {out} ({format})")
