"""The OpenAI Batch API path: half the price, answers within 24 hours.

`submit_batch` claims the pending documents (so live workers leave them
alone while the batch runs), writes one request per article window into a
JSONL file (the same rendered prompt a live call sends, with a strict JSON
schema written here: instructor's batch helper emits schemas OpenAI
rejects), uploads it and creates the job. `batch_status` polls the jobs.
`collect` reads the output and the error file and checks every answer with
the same validator as a live call; an answer that fails goes through the
live re-ask path (the batch answer and the problems found become the start
of the conversation), and after the last attempt it is stored flagged, as
live answers are. Documents with no answer (errors, an expired job) are
stored as failed, so the next `athar extract` retries them.
"""

import asyncio
import json
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openai
from openai.types.chat import ChatCompletion
from pydantic import ValidationError
from sqlalchemy import Engine, update
from sqlmodel import Session, col, select

from db import claims
from db.engine import session_scope
from db.extractions import finish_run, start_run
from db.models import Document, ExtractionClaim, OpenAIBatch, Run, utcnow
from extractor.backend import Article, BackendResult
from extractor.llm.backend import (
    MAX_ERROR_CHARS,
    ExtractionFailed,
    LLMBackend,
    answer_text,
    provenance,
    report_from_answer,
)
from extractor.llm.chunking import merge_reports
from extractor.llm.settings import LLMSettings
from extractor.llm.transport import CallLog
from extractor.llm.validation import ArticleCheck, CheckedExtraction, CheckReport
from extractor.runner import RunOptions, run_settings, store_document
from schemas.extraction import ArticleExtraction

ENDPOINT = "/v1/chat/completions"
LEASE_S = 26 * 3600  # the 24 h completion window and time to collect
MAX_REQUESTS = 50_000  # per batch file, OpenAI's limit
MAX_BYTES = 190 * 1024 * 1024  # under OpenAI's 200 MB per file
CLAIM_CHUNK = 200
DONE = {"completed", "failed", "expired", "cancelled"}
REASK = "Correct your JSON ONLY RESPONSE, based on the following errors:\n{error}"


class BatchError(RuntimeError):
    pass


def submitting_worker(run_id: int) -> str:
    """Who holds documents while their requests are being written (not host:pid: no
    process holds them for the day a job takes)."""
    return f"openai-batch:run-{run_id}"


def job_worker(batch_id: str) -> str:
    """Who holds a submitted job's documents until it is collected."""
    return f"openai-batch:{batch_id}"


def sync_client(settings: LLMSettings) -> openai.OpenAI:
    return openai.OpenAI(
        base_url=settings.base_url,
        api_key=settings.api_key or "unused",
        max_retries=3,  # files and batches calls are few and idempotent to retry
        timeout=max(settings.timeout_s, 60.0),
    )


def response_format() -> dict[str, Any]:
    return {
        "type": "json_schema",
        "json_schema": {
            "name": "ArticleExtraction",
            "strict": True,
            "schema": ArticleExtraction.model_json_schema(),
        },
    }


def custom_id(document_id: int, window: tuple[int, int]) -> str:
    return f"{document_id}:{window[0]}:{window[1]}"


def parse_custom_id(value: str) -> tuple[int, tuple[int, int]]:
    document_id, start, end = (int(part) for part in value.split(":"))
    return document_id, (start, end)


def request_lines(backend: LLMBackend, document: Document) -> list[str]:
    """One Batch API request per window of the document, as a live call would send it."""
    article = Article(document.text, document.published, document.title)
    fmt = response_format()
    lines = []
    for window in backend.windows(document.text):
        body: dict[str, Any] = {
            "model": backend.model,
            "temperature": 0,
            "messages": backend.prompt.render(**backend.context(article, window)),
            "response_format": fmt,
        }
        if backend.settings.max_output_tokens:
            body["max_tokens"] = backend.settings.max_output_tokens
        request = {
            "custom_id": custom_id(document.id, window),
            "method": "POST",
            "url": ENDPOINT,
            "body": body,
        }
        lines.append(json.dumps(request, ensure_ascii=False))
    return lines


@dataclass
class _File:
    """A batch input file being written."""

    path: Path
    requests: int = 0
    size: int = 0
    documents: list[int] = field(default_factory=list)

    def fits(self, lines: list[str]) -> bool:
        size = sum(len(line.encode("utf-8")) + 1 for line in lines)
        fresh = self.requests == 0
        return fresh or (
            self.requests + len(lines) <= MAX_REQUESTS and self.size + size <= MAX_BYTES
        )

    def write(self, document_id: int, lines: list[str]) -> None:
        self.documents.append(document_id)
        with self.path.open("a", encoding="utf-8") as out:
            for line in lines:
                out.write(line + "\n")
                self.size += len(line.encode("utf-8")) + 1
        self.requests += len(lines)


def _upload(client: openai.OpenAI, db: Engine, run: Run, part: _File) -> OpenAIBatch:
    with part.path.open("rb") as handle:
        uploaded = client.files.create(file=handle, purpose="batch")
    job = client.batches.create(
        input_file_id=uploaded.id,
        endpoint=ENDPOINT,
        completion_window="24h",
        metadata={"athar_run": str(run.id)},
    )
    row = OpenAIBatch(
        batch_id=job.id,
        run_id=run.id,
        input_file_id=uploaded.id,
        requests=part.requests,
        status=job.status,
    )
    with session_scope(db) as session:
        session.add(row)
        # The job's documents are now held under its own name, collected together.
        session.execute(
            update(ExtractionClaim)
            .where(
                ExtractionClaim.worker == submitting_worker(run.id),
                col(ExtractionClaim.document_id).in_(part.documents),
            )
            .values(worker=job_worker(job.id))
        )
    return row


def submit_batch(db: Engine, backend: LLMBackend, options: RunOptions) -> list[OpenAIBatch]:
    """Claim the pending documents and submit them as one or more Batch API jobs."""
    if not isinstance(backend, LLMBackend):
        raise BatchError("--openai-batch needs the llm backend")
    with session_scope(db) as session:
        settings = run_settings(backend, options, "openai-batch")
        settings["params"]["openai_batch"] = True
        run = start_run(session, **settings)
        run.status = "submitted"
    worker = submitting_worker(run.id)
    client = sync_client(backend.settings)
    jobs: list[OpenAIBatch] = []
    try:
        with tempfile.TemporaryDirectory(prefix="athar-batch-") as folder:
            part = _File(Path(folder) / "part-1.jsonl")
            after, left = 0, options.limit
            while left is None or left > 0:
                want = CLAIM_CHUNK if left is None else min(CLAIM_CHUNK, left)
                with session_scope(db) as session:
                    documents = claims.claim_documents(
                        session, run, worker, want, LEASE_S, after, options.force
                    )
                if not documents:
                    break
                after = documents[-1].id
                left = None if left is None else left - len(documents)
                for document in documents:
                    lines = request_lines(backend, document)
                    if not part.fits(lines):
                        jobs.append(_upload(client, db, run, part))
                        part = _File(Path(folder) / f"part-{len(jobs) + 1}.jsonl")
                    part.write(document.id, lines)
            if part.requests:
                jobs.append(_upload(client, db, run, part))
    except BaseException:
        with session_scope(db) as session:
            claims.release_worker(session, worker)  # documents not in any submitted job
            if not jobs:
                finish_run(session, session.get(Run, run.id), "failed")
        raise
    if not jobs:
        with session_scope(db) as session:
            finish_run(session, session.get(Run, run.id), "done")
    return jobs


def batch_status(db: Engine, settings: LLMSettings) -> list[tuple[OpenAIBatch, dict]]:
    """Poll every job not yet collected; returns each row with OpenAI's request counts."""
    client = sync_client(settings)
    report = []
    with session_scope(db) as session:
        rows = session.exec(
            select(OpenAIBatch)
            .where(OpenAIBatch.status != "collected")
            .order_by(col(OpenAIBatch.id))
        ).all()
        for row in rows:
            remote = client.batches.retrieve(row.batch_id)
            row.status = remote.status
            row.output_file_id = remote.output_file_id
            row.error_file_id = remote.error_file_id
            session.add(row)
            counts = remote.request_counts.model_dump() if remote.request_counts else {}
            report.append((row, counts))
    return report


def _read_lines(client: openai.OpenAI, file_id: str | None) -> list[dict]:
    if not file_id:
        return []
    text = client.files.content(file_id).text
    return [json.loads(line) for line in text.splitlines() if line.strip()]


@dataclass
class CollectStats:
    stored: int = 0
    reasked: int = 0  # documents with at least one answer sent back to the live endpoint
    failed: int = 0
    discarded: int = 0
    cost_usd: float = 0.0
    failures: list[tuple[int, str]] = field(default_factory=list)


def _checked(text: str, window: tuple[int, int], answer: str | None) -> CheckReport | str:
    """The answer's report when it passes the live validator, else the error to re-ask with."""
    check = ArticleCheck(text, window)
    try:
        CheckedExtraction.model_validate_json(answer or "", context={"check": check}, strict=False)
    except ValidationError as error:
        return str(error)[:MAX_ERROR_CHARS]
    assert check.report is not None
    return check.report


async def _document_result(
    backend: LLMBackend, document: Document, answers: dict[tuple[int, int], dict], reasks: int
) -> tuple[BackendResult, bool]:
    """Check (and re-ask where needed) one document's batch answers; (result, re-asked)."""
    article = Article(document.text, document.published, document.title)
    log = CallLog(backend.model)
    reports, reasked = [], False
    for window in sorted(answers):
        body = answers[window]
        raw = json.dumps(body, ensure_ascii=False)
        log.window = list(window)
        log.response(raw, ChatCompletion.model_validate(body), 0.0, batch=True)
        batch_entry = log.responses()[-1]
        answer = answer_text(raw)
        checked = _checked(document.text, window, answer)
        if isinstance(checked, CheckReport):
            batch_entry.update(stored=True, unresolved=[])
            reports.append(checked)
            continue
        batch_entry["error"] = checked
        report = None
        if reasks > 0:
            reasked = True
            prior = [("assistant", answer or ""), ("user", REASK.format(error=checked))]
            try:
                report = await backend.read_window(article, window, log, prior, reasks - 1)
            except ExtractionFailed:
                report = None
        if report is None:  # no live answer could be read: keep what the batch answer holds
            report = report_from_answer(document.text, answer, window)
            if report is None:
                return BackendResult(
                    [], provenance(log, 0.0), "error", f"unreadable answer: {checked}"
                ), reasked
            batch_entry.update(stored=True, unresolved=[str(p) for p in report.problems])
        reports.append(report)
    return BackendResult(merge_reports(reports).records, provenance(log, 0.0)), reasked


def _backend_for(run: Run, settings: LLMSettings) -> tuple[LLMBackend, int]:
    """The backend that made the run, and how many re-asks it may still make."""
    params = run.params
    backend = LLMBackend(
        LLMSettings.from_env(
            base_url=settings.base_url,
            api_key=settings.api_key,
            model=run.model,
            prompt=params.get("prompt"),
            chunk_chars=params.get("chunk_chars"),
            chunk_overlap=params.get("chunk_overlap"),
            reasks=params.get("reasks"),
        )
    )
    # Re-asking with a prompt that changed since submission would mix two prompts in one run.
    reasks = backend.settings.reasks if backend.prompt_version == run.prompt_version else 0
    return backend, reasks


async def _collect_documents(
    db: Engine,
    run: Run,
    worker: str,
    backend: LLMBackend,
    reasks: int,
    answers: dict[int, dict[tuple[int, int], dict]],
    errors: dict[int, str],
    concurrency: int,
    stats: CollectStats,
) -> None:
    with Session(db) as session:
        claimed = session.exec(
            select(ExtractionClaim.document_id).where(ExtractionClaim.worker == worker)
        ).all()
    gate = asyncio.Semaphore(concurrency)

    async def one(document_id: int) -> None:
        async with gate:
            with Session(db, expire_on_commit=False) as session:
                document = session.get(Document, document_id)
            expected = backend.windows(document.text)
            got = answers.get(document_id, {})
            if document_id in errors or set(expected) - set(got):
                reason = errors.get(document_id) or "no answer in the batch output"
                result = BackendResult([], status="error", error=reason[:MAX_ERROR_CHARS])
                reasked = False
            else:
                result, reasked = await _document_result(backend, document, got, reasks)
            outcome = store_document(db, run, document_id, result, worker)
        stats.cost_usd += result.provenance.cost_usd
        stats.reasked += reasked
        if outcome == "ok":
            stats.stored += 1
        elif outcome == "discarded":
            stats.discarded += 1
        else:
            stats.failed += 1
            stats.failures.append((document_id, result.error or "failed"))

    try:
        await asyncio.gather(*(one(i) for i in claimed))
    finally:
        await backend.aclose()


def collect(
    db: Engine, settings: LLMSettings, batch_id: str | None = None, concurrency: int = 8
) -> tuple[list[OpenAIBatch], CollectStats]:
    """Ingest every finished job (or the one named); jobs still running are left for later."""
    client = sync_client(settings)
    stats = CollectStats()
    collected = []
    for row, _ in batch_status(db, settings):
        if (batch_id and row.batch_id != batch_id) or row.status not in DONE:
            continue
        answers: dict[int, dict[tuple[int, int], dict]] = {}
        errors: dict[int, str] = {}
        for line in _read_lines(client, row.output_file_id):
            document_id, window = parse_custom_id(line["custom_id"])
            response = line.get("response") or {}
            if response.get("status_code") == 200:
                answers.setdefault(document_id, {})[window] = response["body"]
            else:
                errors[document_id] = f"batch request failed: {json.dumps(line)[:500]}"
        for line in _read_lines(client, row.error_file_id):
            document_id, _ = parse_custom_id(line["custom_id"])
            error = line.get("error") or (line.get("response") or {}).get("body")
            errors[document_id] = f"batch request failed: {json.dumps(error, ensure_ascii=False)}"
        with Session(db, expire_on_commit=False) as session:
            run = session.get(Run, row.run_id)
        backend, reasks = _backend_for(run, settings)
        asyncio.run(
            _collect_documents(
                db,
                run,
                job_worker(row.batch_id),
                backend,
                reasks,
                answers,
                errors,
                concurrency,
                stats,
            )
        )
        with session_scope(db) as session:
            stored = session.get(OpenAIBatch, row.id)
            stored.status = "collected"
            stored.collected_at = utcnow()
            open_jobs = session.exec(
                select(OpenAIBatch.id).where(
                    OpenAIBatch.run_id == run.id, OpenAIBatch.status != "collected"
                )
            ).all()
            if not open_jobs:
                finish_run(session, session.get(Run, run.id), "failed" if stats.failed else "done")
        collected.append(row)
    return collected, stats
