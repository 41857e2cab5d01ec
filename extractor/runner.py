"""The batch runner: every pending document through one backend, concurrently, resumably.

One feeder claims documents (db.claims) in batches and queues them;
`concurrency` workers run the backend, and each answered document is stored
in its own transaction, together with the release of its claim, while its
worker already sends the next request. Nothing is kept per document once it
is stored, so memory does not grow with the corpus. Database work runs in
its own thread (one for SQLite, whose writers queue anyway) so the event
loop keeps every in-flight request moving.

Resumability comes from the database, not from this process: a document is
pending until an `ok` extraction with the same (text sha256, prompt version,
schema version, model) exists, so a rerun after a crash or `kill -9` picks up
exactly the documents that were not stored. Ctrl-C (or SIGTERM) cancels the
requests in flight, stores what was already answered, releases this
worker's claims and marks the run interrupted.
"""

import asyncio
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import Session, select

from db import claims
from db.engine import session_scope
from db.extractions import Provenance, already_extracted, finish_run, start_run, store_extraction
from db.models import Document, Extraction, Run
from extractor.backend import Article, Backend, BackendResult
from schemas.codebook import SCHEMA_VERSION

MAX_LISTED_FAILURES = 50
# Documents claimed per transaction: the feeder holds a batch while the workers drain the
# queue, so claiming costs one short transaction per batch rather than one per document.
CLAIM_BATCH = 16


@dataclass
class RunStats:
    """What the run has done so far; handed to the progress callback after every document."""

    run_id: int
    total: int  # documents pending when the run started (within --limit)
    already_done: int  # documents skipped because an extraction with the same key exists
    done: int = 0
    failed: int = 0
    discarded: int = 0  # finished by another worker first; not stored twice
    records: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cost_usd: float = 0.0
    model_wait_s: float = 0.0  # summed backend latency: time spent waiting on the model
    elapsed_s: float = 0.0
    cpu_s: float = 0.0  # this process's CPU time during the run: athar's own work
    interrupted: bool = False
    stopped_early: str | None = None
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def processed(self) -> int:
        return self.done + self.failed


@dataclass(frozen=True)
class RunOptions:
    concurrency: int = 8
    limit: int | None = None
    force: bool = False
    lease_s: float = 120.0  # a claim lapses this long after its worker's last heartbeat
    poll_s: float = 2.0  # how often to look again while other workers hold the rest
    max_consecutive_failures: int = 25  # a misconfigured endpoint stops the run, not 10k errors


def run_settings(backend: Backend, options: RunOptions, worker: str) -> dict[str, Any]:
    return {
        "backend": backend.name,
        "model": backend.model,
        "endpoint_host": backend.endpoint_host,
        "prompt_version": backend.prompt_version,
        "schema_version": SCHEMA_VERSION,
        "params": {
            **backend.params,
            "concurrency": options.concurrency,
            "limit": options.limit,
            "force": options.force,
            "worker": worker,
        },
    }


def _document_label(document: Document) -> str:
    return document.external_id or f"#{document.id}"


def _finished_elsewhere(session: Session, run: Run, document: Document, force: bool) -> bool:
    """Whether someone stored this document meanwhile (a lapsed lease, a forced rerun)."""
    if not force:
        return already_extracted(session, document, run)
    query = select(Extraction.id).where(
        Extraction.document_id == document.id, Extraction.run_id == run.id
    )
    return session.exec(query).first() is not None


def store_document(
    engine: Engine,
    run: Run,
    document_id: int,
    result: BackendResult,
    worker: str,
    force: bool = False,
) -> str:
    """Store one document's outcome and release its claim in one transaction; returns the
    stored status, or "discarded" when the document was stored by someone else first."""
    try:
        with session_scope(engine) as session:
            document = session.get(Document, document_id)
            if _finished_elsewhere(session, run, document, force):
                claims.release_claim(session, run, document_id, worker)
                return "discarded"
            store_extraction(
                session,
                document,
                run,
                result.records,
                result.provenance,
                result.status,
                result.error,
            )
            claims.release_claim(session, run, document_id, worker)
            return result.status
    except ValueError as error:  # a span that breaks text[start:end] == quote is refused
        with session_scope(engine) as session:
            document = session.get(Document, document_id)
            store_extraction(session, document, run, [], result.provenance, "error", str(error))
            claims.release_claim(session, run, document_id, worker)
        return "error"


class Runner:
    def __init__(
        self,
        engine: Engine,
        backend: Backend,
        options: RunOptions = RunOptions(),
        on_progress: Callable[[RunStats], None] | None = None,
    ) -> None:
        self.engine = engine
        self.backend = backend
        self.options = options
        self.on_progress = on_progress or (lambda _stats: None)
        self.worker = claims.new_worker_id()
        threads = 4 if claims.is_postgres(engine) else 1
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="athar-db")
        self.stopping = False
        self.consecutive_failures = 0
        self.run_row: Run | None = None
        self.stats: RunStats | None = None

    async def _db(self, fn: Callable[..., Any], *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.pool, partial(fn, *args))

    # -- database steps (run in the db thread) --------------------------------------------

    def _start(self) -> RunStats:
        with session_scope(self.engine) as session:
            claims.reap_dead_claims(session)
            run = start_run(session, **run_settings(self.backend, self.options, self.worker))
            pending = claims.count_pending(session, run, self.options.force)
            documents = session.exec(select(func.count()).select_from(Document)).one()
        self.run_row = run
        total = pending if self.options.limit is None else min(pending, self.options.limit)
        return RunStats(run_id=run.id, total=total, already_done=documents - pending)

    def _claim(self, after_id: int, limit: int) -> list[Document]:
        with session_scope(self.engine) as session:
            return claims.claim_documents(
                session,
                self.run_row,
                self.worker,
                limit,
                self.options.lease_s,
                after_id,
                self.options.force,
            )

    def _others_working(self) -> int:
        with session_scope(self.engine) as session:
            claims.reap_dead_claims(session)
            return claims.claimed_by_others(
                session, self.run_row, self.worker, self.options.force, 2 * self.options.lease_s
            )

    def _heartbeat(self) -> None:
        with session_scope(self.engine) as session:
            claims.renew_claims(session, self.worker, self.options.lease_s)

    def _save(self, document_id: int, result: BackendResult) -> str:
        return store_document(
            self.engine, self.run_row, document_id, result, self.worker, self.options.force
        )

    def _finish(self, status: str) -> None:
        with session_scope(self.engine) as session:
            claims.release_worker(session, self.worker)
            run = session.get(Run, self.run_row.id)
            finish_run(session, run, status)

    # -- the async pipeline ---------------------------------------------------------------

    async def _feed(self, queue: asyncio.Queue) -> None:
        """Claim documents in id order, a batch at a time; once none are left ahead, look again
        from the start (for documents skipped while locked), then wait while other workers
        hold the rest."""
        remaining = self.stats.total if self.options.limit is not None else None
        after, wrapped = 0, False
        try:
            while not self.stopping and (remaining is None or remaining > 0):
                batch = max(self.options.concurrency, CLAIM_BATCH)
                want = batch if remaining is None else min(batch, remaining)
                documents = await self._db(self._claim, after, want)
                if documents:
                    after, wrapped = documents[-1].id, False
                    if remaining is not None:
                        remaining -= len(documents)
                    for document in documents:
                        await queue.put(document)
                    continue
                if not wrapped:
                    after, wrapped = 0, True
                    continue
                if not await self._db(self._others_working):
                    return
                await asyncio.sleep(self.options.poll_s)
                after = 0
        finally:
            if not asyncio.current_task().cancelling():  # cancelled workers need no signal
                await queue.put(None)

    async def _work(self, queue: asyncio.Queue) -> None:
        while (document := await queue.get()) is not None:
            await self._one(document)
        queue.put_nowait(None)  # pass the end-of-work mark on to the next worker

    async def _one(self, document: Document) -> None:
        article = Article(text=document.text, published=document.published, title=document.title)
        try:
            result = await self.backend.extract(article)
        except Exception as error:  # a backend bug fails this document, not the run
            result = BackendResult([], Provenance(), "error", f"{type(error).__name__}: {error}")
        # Stored in the db thread while this worker already sends its next request; the
        # slots bound how many finished documents may wait for their transaction.
        await self.store_slots.acquire()
        store = asyncio.create_task(self._store(document, result))
        self.stores.add(store)
        store.add_done_callback(self.stores.discard)

    async def _store(self, document: Document, result: BackendResult) -> None:
        try:
            outcome = await self._db(self._save, document.id, result)
        except Exception:
            self.stopping = True  # the database failed: claim nothing more
            raise
        finally:
            self.store_slots.release()
        self._count(document, result, outcome)

    def _count(self, document: Document, result: BackendResult, outcome: str) -> None:
        stats = self.stats
        p = result.provenance
        stats.prompt_tokens += p.prompt_tokens
        stats.completion_tokens += p.completion_tokens
        stats.cached_tokens += p.cached_tokens
        stats.cost_usd += p.cost_usd
        stats.model_wait_s += sum(a.get("latency_s", 0.0) for a in p.attempts)
        if outcome == "ok":
            stats.done += 1
            stats.records += len(result.records)
            self.consecutive_failures = 0
        elif outcome == "discarded":
            stats.discarded += 1
        else:
            stats.failed += 1
            self.consecutive_failures += 1
            if len(stats.failures) < MAX_LISTED_FAILURES:
                stats.failures.append((_document_label(document), result.error or "failed"))
            limit = self.options.max_consecutive_failures
            if self.consecutive_failures >= limit and not self.stopping:
                self.stopping = True
                stats.stopped_early = (
                    f"stopped after {self.consecutive_failures} failures in a row; "
                    f"last error: {result.error}"
                )
        self.on_progress(stats)

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(self.options.lease_s / 3)
            await self._db(self._heartbeat)

    async def run(self) -> RunStats:
        started, cpu_started = time.perf_counter(), time.process_time()
        self.stats = await self._db(self._start)
        self.on_progress(self.stats)
        self.store_slots = asyncio.Semaphore(self.options.concurrency)
        self.stores: set[asyncio.Task] = set()
        queue: asyncio.Queue = asyncio.Queue(maxsize=self.options.concurrency)
        tasks = [asyncio.create_task(self._feed(queue))] + [
            asyncio.create_task(self._work(queue)) for _ in range(self.options.concurrency)
        ]
        heartbeat = asyncio.create_task(self._beat())
        loop = asyncio.get_running_loop()

        def interrupt() -> None:
            self.stats.interrupted = True
            for task in tasks:
                task.cancel()

        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, interrupt)
        try:
            # A task that raises (the database went away) stops the others.
            done, rest = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
            for task in rest:
                task.cancel()
            await asyncio.gather(*rest, return_exceptions=True)
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            heartbeat.cancel()
        # Documents already extracted are stored even after Ctrl-C: the work is paid for.
        stored = await asyncio.gather(*self.stores, return_exceptions=True)
        errors = [t.exception() for t in done if not t.cancelled() and t.exception()]
        errors += [o for o in stored if isinstance(o, Exception)]
        status = "interrupted" if self.stats.interrupted else "done"
        if self.stats.failed or errors:
            status = "failed" if status == "done" else status
        await self._db(self._finish, status)
        self.pool.shutdown(wait=True)
        close = getattr(self.backend, "aclose", None)
        if close is not None:
            await close()
        self.stats.elapsed_s = time.perf_counter() - started
        self.stats.cpu_s = time.process_time() - cpu_started
        if errors:
            raise errors[0]
        return self.stats
