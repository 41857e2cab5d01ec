"""`athar import`: load a `jsonl` export into this database."""

import json
from pathlib import Path
from typing import Annotated

import typer

from db.engine import session_scope
from db.load import Loader, LoadError
from extractor.console import console, engine, errors


def import_(
    file: Annotated[Path, typer.Argument(help="A file written by `athar export --format jsonl`.")],
) -> None:
    """Load exported documents with their records, decisions and provenance.

    Each document is committed on its own, so a bad line costs only itself;
    documents whose text is already stored are skipped.
    """
    added = duplicates = failed = 0
    with session_scope(engine()) as session, file.open(encoding="utf-8") as lines:
        loader = Loader(session)
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                document = loader.load(json.loads(line))
            except (LoadError, KeyError, TypeError, ValueError) as error:
                session.rollback()
                loader = Loader(session)
                errors.print(f"[red]line {number}[/]: {error!r}", highlight=False)
                failed += 1
                continue
            session.commit()
            if document is None:
                duplicates += 1
            else:
                added += 1
    console.print(f"imported {added}, duplicates {duplicates}, failed {failed}")
    if failed:
        raise typer.Exit(1)
