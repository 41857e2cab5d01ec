"""Sharing extraction work: which documents a run still has to do, and who is doing each.

A worker claims documents in one short transaction: it selects candidates
`FOR UPDATE SKIP LOCKED` (on PostgreSQL; SQLite has one writer at a time), so
concurrent workers pass over each other's rows instead of queueing on them,
and then inserts claim rows whose primary key lets only one worker win a
document even in a race. Claims carry a lease that the worker renews while it
works; a worker that dies (kill -9) leaves claims that lapse with the lease,
or at once when a worker on the same host sees that the process is gone.
The claim is deleted in the same transaction that stores the document's
extraction, so a document is never both finished and still claimed.
"""

import os
import secrets
import socket
from datetime import timedelta

from sqlalchemy import Engine, delete, exists, func, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from db.models import Document, Extraction, ExtractionClaim, Run, utcnow


def claim_key(run: Run) -> str:
    """Work is the same work when model, prompt and schema are the same."""
    return f"{run.model}|{run.prompt_version}|{run.schema_version}"


def new_worker_id() -> str:
    """host:pid:nonce, so a worker on the same host can tell a dead claimant from a live one."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def _pending(run: Run, force: bool) -> list:
    """Conditions on Document: not yet extracted with this key (with `force`: not by this
    run), and not already attempted by this run (a failure is not retried within a run)."""
    done = select(Extraction.id).where(
        Extraction.text_sha256 == Document.sha256,
        Extraction.prompt_version == run.prompt_version,
        Extraction.schema_version == run.schema_version,
        Extraction.model == run.model,
        Extraction.status == "ok",
    )
    if force:
        done = done.where(Extraction.run_id == run.id)
    tried = select(Extraction.id).where(
        Extraction.document_id == Document.id, Extraction.run_id == run.id
    )
    return [~exists(done), ~exists(tried)]


def _live_claim(run: Run, now):
    return exists(
        select(ExtractionClaim.document_id).where(
            ExtractionClaim.document_id == Document.id,
            ExtractionClaim.claim_key == claim_key(run),
            ExtractionClaim.lease_until > now,
        )
    )


def count_pending(session: Session, run: Run, force: bool = False) -> int:
    """Documents this run would still extract, claimed by someone or not."""
    query = select(func.count()).select_from(Document).where(*_pending(run, force))
    return session.exec(query).one()


def pending_lengths(session: Session, run: Run, force: bool = False) -> list[int]:
    """Text lengths of the pending documents, for a dry run's estimate (texts stay in the db)."""
    query = select(func.length(Document.text)).where(*_pending(run, force))
    return list(session.exec(query).all())


def claimed_by_others(
    session: Session, run: Run, worker: str, force: bool = False, within_s: float | None = None
) -> int:
    """Pending documents another worker holds: worth waiting for, in case it dies.

    With `within_s`, only claims whose lease ends that soon count: a running
    worker keeps renewing a short lease, while a Batch API job holds its
    documents for a day and is not worth waiting for.
    """
    now = utcnow()
    held = select(ExtractionClaim.document_id).where(
        ExtractionClaim.document_id == Document.id,
        ExtractionClaim.claim_key == claim_key(run),
        ExtractionClaim.lease_until > now,
        ExtractionClaim.worker != worker,
    )
    if within_s is not None:
        held = held.where(ExtractionClaim.lease_until <= now + timedelta(seconds=within_s))
    query = select(func.count()).select_from(Document).where(*_pending(run, force), exists(held))
    return session.exec(query).one()


def _insert(engine_name: str):
    return (postgresql if engine_name == "postgresql" else sqlite).insert


def claim_documents(
    session: Session,
    run: Run,
    worker: str,
    limit: int,
    lease_s: float,
    after_id: int = 0,
    force: bool = False,
) -> list[Document]:
    """Claim up to `limit` pending documents with ids above `after_id`, in id order.

    The caller commits; until then PostgreSQL keeps the rows locked and other
    workers skip them.
    """
    now = utcnow()
    candidates = (
        select(Document.id)
        .where(Document.id > after_id, *_pending(run, force), ~_live_claim(run, now))
        .order_by(Document.id)
        .limit(limit)
    )
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        candidates = candidates.with_for_update(skip_locked=True, of=Document)
    ids = list(session.exec(candidates).all())
    if not ids:
        return []
    lease = now + timedelta(seconds=lease_s)
    insert = _insert(dialect)(ExtractionClaim).values(
        [
            {
                "document_id": i,
                "claim_key": claim_key(run),
                "worker": worker,
                "claimed_at": now,
                "lease_until": lease,
            }
            for i in ids
        ]
    )
    # A lapsed claim (a dead worker's) is taken over; a live one is left alone.
    upsert = insert.on_conflict_do_update(
        index_elements=["document_id", "claim_key"],
        set_={"worker": worker, "claimed_at": now, "lease_until": lease},
        where=col(ExtractionClaim.lease_until) <= now,
    ).returning(ExtractionClaim.document_id)
    won = set(session.execute(upsert).scalars().all())
    if not won:
        return []
    return list(
        session.exec(select(Document).where(col(Document.id).in_(won)).order_by(Document.id))
    )


def renew_claims(session: Session, worker: str, lease_s: float) -> int:
    """Push back the lease of everything this worker holds (its heartbeat)."""
    result = session.execute(
        update(ExtractionClaim)
        .where(ExtractionClaim.worker == worker)
        .values(lease_until=utcnow() + timedelta(seconds=lease_s))
    )
    return result.rowcount


def release_claim(session: Session, run: Run, document_id: int, worker: str) -> None:
    session.execute(
        delete(ExtractionClaim).where(
            ExtractionClaim.document_id == document_id,
            ExtractionClaim.claim_key == claim_key(run),
            ExtractionClaim.worker == worker,
        )
    )


def release_worker(session: Session, worker: str) -> int:
    """Drop every claim of a worker that is stopping, so others need not wait for the lease."""
    return session.execute(delete(ExtractionClaim).where(ExtractionClaim.worker == worker)).rowcount


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def reap_dead_claims(session: Session) -> int:
    """Release claims of workers on this host whose process no longer exists."""
    host = socket.gethostname()
    workers = session.exec(
        select(ExtractionClaim.worker).where(col(ExtractionClaim.worker).startswith(f"{host}:"))
    ).all()
    dead = set()
    for worker in set(workers):
        _, pid, _ = worker.rsplit(":", 2)
        if pid.isdigit() and not _alive(int(pid)):
            dead.add(worker)
    if not dead:
        return 0
    result = session.execute(delete(ExtractionClaim).where(col(ExtractionClaim.worker).in_(dead)))
    return result.rowcount


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"
