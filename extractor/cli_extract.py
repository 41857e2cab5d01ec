"""`athar extract`, `athar reground` and `athar batch ...`: turning stored documents into records.

The model stack (openai, instructor) is imported only when a command needs
it, so `athar status` and the offline rules backend start fast.
"""

import asyncio
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from sqlalchemy import Engine

from db import claims
from db.engine import session_scope
from db.models import Run
from extractor.backend import Backend
from extractor.console import console, engine, errors
from extractor.runner import Runner, RunOptions, RunStats
from schemas.codebook import SCHEMA_VERSION

if TYPE_CHECKING:
    from extractor.llm.settings import LLMSettings


class BackendChoice(StrEnum):
    AUTO = "auto"
    LLM = "llm"
    RULES = "rules"


def choose_backend(choice: BackendChoice, model: str | None, prompt: str | None) -> Backend:
    """The backend to run; `auto` takes the LLM when an endpoint is configured."""
    from extractor.llm.settings import endpoint_configured

    if choice == BackendChoice.AUTO:
        if endpoint_configured():
            choice = BackendChoice.LLM
        else:
            errors.print(
                "No LLM endpoint configured (OPENAI_BASE_URL / OPENAI_API_KEY): "
                "extracting with the offline rules backend."
            )
            choice = BackendChoice.RULES
    if choice == BackendChoice.RULES:
        from extractor.rules import RulesBackend

        if prompt or model:
            errors.print("[yellow]--model and --prompt apply to the llm backend only[/]")
        return RulesBackend()
    from extractor.llm.backend import LLMBackend
    from extractor.llm.settings import LLMSettings

    try:
        return LLMBackend(LLMSettings.from_env(model=model, prompt=prompt))
    except ValueError as error:  # a bad setting or an unknown prompt (PromptError), said plainly
        errors.print(f"[red]{error}[/]", highlight=False)
        raise typer.Exit(2) from error


def _dry_run(db: Engine, backend: Backend, options: RunOptions) -> None:
    planned = Run(
        backend=backend.name,
        model=backend.model,
        prompt_version=backend.prompt_version,
        schema_version=SCHEMA_VERSION,
    )
    with session_scope(db) as session:
        lengths = claims.pending_lengths(session, planned, options.force)
    if options.limit is not None:
        lengths = lengths[: options.limit]
    console.print(
        f"{len(lengths)} documents to extract with {backend.name} "
        f"({backend.model}, prompt {backend.prompt_version})"
    )
    forecast = getattr(backend, "estimate", None)
    if forecast is None:
        console.print("no model calls: no tokens, no cost")
        return
    e = forecast(lengths)
    console.print(
        f"about {e.requests} requests, {e.prompt_tokens:,} prompt tokens "
        f"({e.cached_tokens:,} cacheable), {e.completion_tokens:,} completion tokens"
    )
    console.print(
        f"about ${e.cost_usd:.2f} ({backend.model}); ${e.batch_cost_usd:.2f} with --openai-batch"
    )


def run_extract(db: Engine, backend: Backend, options: RunOptions, progress: bool) -> RunStats:
    """Run the batch runner with a progress bar on stderr (when asked)."""
    if not progress:
        return asyncio.run(Runner(db, backend, options).run())
    columns = (
        TextColumn("[bold]extract"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed"),
        TextColumn("{task.fields[tokens]:,} tokens"),
        TextColumn("${task.fields[cost]:.4f}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=errors) as bar:
        task = bar.add_task("extract", total=None, failed=0, tokens=0, cost=0.0)

        def show(stats: RunStats) -> None:
            bar.update(
                task,
                total=stats.total,
                completed=stats.processed,
                failed=stats.failed,
                tokens=stats.tokens,
                cost=stats.cost_usd,
            )

        return asyncio.run(Runner(db, backend, options, on_progress=show).run())


def _submit(db: Engine, backend: Backend, options: RunOptions) -> None:
    from extractor.llm.batch import BatchError, submit_batch

    try:
        jobs = submit_batch(db, backend, options)
    except BatchError as error:
        errors.print(f"[red]{error}[/]")
        raise typer.Exit(2) from error
    if not jobs:
        console.print("nothing to submit: every document is extracted with this model and prompt")
        return
    for job in jobs:
        console.print(f"submitted {job.batch_id}: {job.requests} requests (run {job.run_id})")
    console.print("follow with `athar batch status`, then `athar batch collect`")


def summary_table(stats: RunStats, backend: Backend) -> Table:
    table = Table(title=f"athar extract: run {stats.run_id}")
    table.add_column("what")
    table.add_column("value", justify="right")
    rate = stats.processed / stats.elapsed_s if stats.elapsed_s else 0.0
    cpu_ms = 1000 * stats.cpu_s / stats.processed if stats.processed else 0.0
    rows = [
        ("backend", f"{backend.name} ({backend.model})"),
        ("prompt version", backend.prompt_version),
        ("documents extracted", str(stats.done)),
        ("documents failed", str(stats.failed)),
        ("skipped (already extracted)", str(stats.already_done)),
        ("records stored", str(stats.records)),
        ("prompt tokens (cached)", f"{stats.prompt_tokens:,} ({stats.cached_tokens:,})"),
        ("completion tokens", f"{stats.completion_tokens:,}"),
        ("cost", f"${stats.cost_usd:.4f}"),
        ("elapsed", f"{stats.elapsed_s:.1f} s"),
        ("documents / s", f"{rate:.2f}"),
        ("athar CPU / document", f"{cpu_ms:.1f} ms"),
    ]
    if stats.discarded:
        rows.insert(4, ("finished by another worker", str(stats.discarded)))
    for what, value in rows:
        table.add_row(what, value)
    return table


def extract(
    backend: Annotated[
        BackendChoice, typer.Option(help="auto: the LLM when an endpoint is configured.")
    ] = BackendChoice.AUTO,
    model: Annotated[str | None, typer.Option(help="Model name (default ATHAR_MODEL).")] = None,
    prompt: Annotated[
        str | None, typer.Option(help="Prompt name in prompts/ or a path (default extract_v1).")
    ] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Documents in flight at once.")] = 8,
    limit: Annotated[int | None, typer.Option(min=0, help="Extract at most N documents.")] = None,
    force: Annotated[bool, typer.Option(help="Extract again documents already extracted.")] = False,
    dry_run: Annotated[
        bool, typer.Option(help="Only count the documents and estimate tokens and cost.")
    ] = False,
    openai_batch: Annotated[
        bool, typer.Option(help="Submit to the OpenAI Batch API (half price, within 24 h).")
    ] = False,
) -> None:
    """Extract figures and events from every document not yet extracted with this
    model, prompt and schema; safe to interrupt and run again."""
    chosen = choose_backend(backend, model, prompt)
    options = RunOptions(concurrency=concurrency, limit=limit, force=force)
    db = engine()
    if dry_run:
        _dry_run(db, chosen, options)
        return
    if openai_batch:
        _submit(db, chosen, options)
        return
    stats = run_extract(db, chosen, options, progress=True)
    console.print(summary_table(stats, chosen))
    for label, error in stats.failures[:10]:
        errors.print(f"[red]failed[/] {label}: {error}", highlight=False, soft_wrap=True)
    if stats.stopped_early:
        errors.print(f"[red]{stats.stopped_early}[/]", highlight=False, soft_wrap=True)
    if stats.interrupted:
        errors.print("interrupted: run again to finish the remaining documents")
        raise typer.Exit(130)
    if stats.failed:
        raise typer.Exit(1)


def reground(
    run: Annotated[int, typer.Option("--run", help="The run whose stored answers to re-ground.")],
) -> None:
    """Ground a run's stored model answers again (no model is called): an improved
    grounder upgrades old runs for free; reviewed spans are kept."""
    from extractor.llm.reground import RegroundError, reground_run

    try:
        stats = reground_run(engine(), run)
    except RegroundError as error:
        errors.print(f"[red]{error}[/]")
        raise typer.Exit(2) from error
    console.print(
        f"re-grounded {stats.extractions} extractions of run {run} (as run {stats.run_id}): "
        f"{stats.values_changed} values changed; values not found in the article: "
        f"{stats.ungrounded_before} before, {stats.ungrounded_after} after"
    )
    if stats.unmatched:
        errors.print(f"[yellow]{stats.unmatched} records or values had no stored counterpart[/]")


batch_app = typer.Typer(help="OpenAI Batch API jobs: see how they are doing, collect them.")


def _llm_settings() -> "LLMSettings":
    from extractor.llm.settings import LLMSettings

    return LLMSettings.from_env()


@batch_app.command("status")
def batch_status_command() -> None:
    """Poll every job not yet collected."""
    from extractor.llm.batch import batch_status

    table = Table(title="OpenAI batch jobs")
    for column in ("batch", "run", "requests", "status", "completed", "failed", "submitted"):
        table.add_column(column)
    for row, counts in batch_status(engine(), _llm_settings()):
        table.add_row(
            row.batch_id,
            str(row.run_id),
            str(row.requests),
            row.status,
            str(counts.get("completed", "")),
            str(counts.get("failed", "")),
            f"{row.submitted_at:%Y-%m-%d %H:%M}",
        )
    console.print(table)


@batch_app.command("collect")
def batch_collect_command(
    batch: Annotated[str | None, typer.Option(help="Collect this job only.")] = None,
    concurrency: Annotated[int, typer.Option(min=1, help="Live re-asks in flight.")] = 8,
) -> None:
    """Store the answers of finished jobs, re-asking live where an answer fails validation."""
    from extractor.llm.batch import collect

    jobs, stats = collect(engine(), _llm_settings(), batch, concurrency)
    if not jobs:
        console.print("no finished job to collect (see `athar batch status`)")
        return
    console.print(
        f"collected {len(jobs)} job(s): {stats.stored} documents stored, "
        f"{stats.reasked} re-asked live, {stats.failed} failed, ${stats.cost_usd:.4f}"
    )
    for document_id, error in stats.failures[:10]:
        errors.print(f"[red]failed[/] #{document_id}: {error}", highlight=False, soft_wrap=True)
    if stats.failed:
        errors.print("failed documents are extracted again by the next `athar extract`")
        raise typer.Exit(1)
