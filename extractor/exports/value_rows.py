"""One row per value: the table shape shared by the `csv` and `parquet` exports.

Values are JSON text (`"killed"`, `{"best": 7, ...}`) so one column holds every
field's values without guessing types; offsets are code-point indices into the
article, half-open. `final_value` is null when the value or its record was
rejected, so a row's final state never needs a second column to be read right.
"""

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from db.dump import DocumentDump
from schemas.codebook import Decision

COLUMNS = (
    "doc_id",
    "text_sha256",
    "record",
    "record_kind",
    "record_origin",
    "record_rejected",
    "field",
    "model_value",
    "model_quote",
    "final_value",
    "decision",
    "decided_by",
    "decided_at",
    "quote",
    "start",
    "end",
    "match",
    "backend",
    "model",
    "prompt_version",
    "schema_version",
)


def as_json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False)


def value_rows(dump: DocumentDump) -> Iterator[tuple[Any, ...]]:
    """Rows in `COLUMNS` order; `decided_at` stays a datetime for the writer to format."""
    d = dump.document
    doc_id = d.external_id or d.sha256
    extractions = {e.id: e for e in dump.extractions}
    for view in dump.views:
        r = view.record
        e = extractions.get(r.extraction_id)
        provenance = (e.backend, e.model, e.prompt_version, e.schema_version) if e else (None,) * 4
        for v in view.values:
            kept = not r.rejected and v.decision != Decision.REJECTED
            decided_at: datetime | None = v.decided_at
            yield (
                doc_id,
                d.sha256,
                r.key,
                r.kind,
                r.origin,
                r.rejected,
                v.field,
                as_json(v.model_value),
                v.model_quote,
                as_json(v.value) if kept else None,
                v.decision,
                v.decided_by,
                decided_at,
                v.source if kept else None,
                v.start if kept else None,
                v.end if kept else None,
                v.match,
                *provenance,
            )
