"""The `jsonl` export: one document per line, with everything stored about it.

It is the complete record of a review: the article's text and metadata, every
extraction's provenance (backend, model, prompt and schema version, usage,
cost), the records under review with each value's model state and final
state, the decision, who made it and when, double-review judgements, and the
audit log. `athar import` rebuilds a database from it (`db.load`), so rows
refer to each other by position inside the document (`n`), never by database
id: ids differ from one database to the next.

A value's `final` is the review's outcome: the edited or accepted value and
its span, or nulls when the value was rejected. An audit row's `after.undoes`
holds the `n` of the audit row it undoes.
"""

import json
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from db.dump import DocumentDump
from db.models import AuditEntry, Extraction, Judgement, Record, ReviewCopy, Run, Value
from schemas.codebook import Decision

FORMAT_VERSION = 1


def iso(moment: datetime | None) -> str | None:
    """Stored times come back in UTC (sqlmodel's UTCDateTime), so no conversion is needed."""
    return moment.isoformat() if moment else None


def _run(run: Run) -> dict[str, Any]:
    return {
        "backend": run.backend,
        "model": run.model,
        "endpoint_host": run.endpoint_host,
        "prompt_version": run.prompt_version,
        "schema_version": run.schema_version,
        "params": run.params,
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "status": run.status,
    }


def _extraction(n: int, e: Extraction, run: Run) -> dict[str, Any]:
    return {
        "n": n,
        "run": _run(run),
        "backend": e.backend,
        "model": e.model,
        "prompt_version": e.prompt_version,
        "schema_version": e.schema_version,
        "status": e.status,
        "error": e.error,
        "attempts": e.attempts,
        "prompt_tokens": e.prompt_tokens,
        "completion_tokens": e.completion_tokens,
        "cached_tokens": e.cached_tokens,
        "cost_usd": e.cost_usd,
        "latency_s": e.latency_s,
        "created_at": iso(e.created_at),
    }


def _judgement(j: Judgement) -> dict[str, Any]:
    return {
        "annotator": j.annotator,
        "decision": j.decision,
        "value": j.value,
        "quote": j.quote,
        "source": j.source,
        "start": j.start,
        "end": j.end,
        "decided_at": iso(j.decided_at),
        "version": j.version,
    }


def _value(v: Value, judgements: list[Judgement]) -> dict[str, Any]:
    rejected = v.decision == Decision.REJECTED
    return {
        "field": v.field,
        "model": {
            "value": v.model_value,
            "quote": v.model_quote,
            "start": v.model_start,
            "end": v.model_end,
        },
        "match": v.match,
        "score": v.score,
        "final": {
            "value": None if rejected else v.value,
            "quote": None if rejected else v.quote,
            "source": None if rejected else v.source,
            "start": None if rejected else v.start,
            "end": None if rejected else v.end,
        },
        "decision": v.decision,
        "decided_by": v.decided_by,
        "decided_at": iso(v.decided_at),
        "version": v.version,
        "judgements": [_judgement(j) for j in judgements],
    }


def _record(
    n: int,
    r: Record,
    values: list[Value],
    extraction: tuple[int, Extraction] | None,
    judgements: dict[int, list[Judgement]],
) -> dict[str, Any]:
    e = extraction[1] if extraction else None
    return {
        "n": n,
        "kind": r.kind,
        "key": r.key,
        "origin": r.origin,
        "rejected": r.rejected,
        "extraction": extraction[0] if extraction else None,
        "backend": e and e.backend,
        "model": e and e.model,
        "prompt_version": e and e.prompt_version,
        "schema_version": e and e.schema_version,
        "evidence": {
            "quote": r.evidence_quote,
            "source": r.evidence_source,
            "start": r.evidence_start,
            "end": r.evidence_end,
            "match": r.evidence_match,
        },
        "values": [_value(v, judgements.get(v.id, [])) for v in values],
    }


def _copy(c: ReviewCopy) -> dict[str, Any]:
    return {
        "slot": c.slot,
        "annotator": c.annotator,
        "claimed_at": iso(c.claimed_at),
        "done_at": iso(c.done_at),
    }


def _audit(
    entries: list[AuditEntry], records: dict[int, int], values: dict[int, tuple[int, str]]
) -> list[dict[str, Any]]:
    position = {e.id: n for n, e in enumerate(entries, 1)}
    rows = []
    for e in entries:
        after = e.after
        if isinstance(after, dict) and "undoes" in after:
            after = {**after, "undoes": position.get(after["undoes"])}
        record, field = values.get(e.value_id, (records.get(e.record_id), None))
        rows.append(
            {
                "record": record,
                "field": field,
                "annotator": e.annotator,
                "action": e.action,
                "before": e.before,
                "after": after,
                "at": iso(e.at),
            }
        )
    return rows


def document_line(dump: DocumentDump) -> dict[str, Any]:
    d = dump.document
    extractions = {e.id: (n, e) for n, e in enumerate(dump.extractions, 1)}
    records = {view.record.id: n for n, view in enumerate(dump.views, 1)}
    values = {v.id: (records[view.record.id], v.field) for view in dump.views for v in view.values}
    return {
        "athar_export": FORMAT_VERSION,
        "doc_id": d.external_id or d.sha256,
        "text_sha256": d.sha256,
        "external_id": d.external_id,
        "title": d.title,
        "url": d.url,
        "published": d.published,
        "outlet": d.outlet,
        "source_path": d.source_path,
        "ingested_at": iso(d.ingested_at),
        "state": d.state,
        "done_by": d.done_by,
        "done_at": iso(d.done_at),
        "text": d.text,
        "extractions": [
            _extraction(n, e, dump.runs[e.run_id]) for n, e in enumerate(dump.extractions, 1)
        ],
        "records": [
            _record(
                n,
                view.record,
                view.values,
                extractions.get(view.record.extraction_id),
                dump.judgements,
            )
            for n, view in enumerate(dump.views, 1)
        ],
        "copies": [_copy(c) for c in dump.copies],
        "audit": _audit(dump.audit, records, values),
    }


def write_jsonl(dumps: Iterable[DocumentDump], handle: IO[str]) -> int:
    count = 0
    for dump in dumps:
        handle.write(json.dumps(document_line(dump), ensure_ascii=False) + "\n")
        count += 1
    return count
