"""Export benchmark: time every export format over a synthetic reviewed corpus.

The corpus is generated here (Arabic sentences written for this benchmark,
repeated with varying numbers): DOCS documents, each with the records of one
extraction (an event and figures, eight or six values each), every value
decided, every document done, plus an audit row per decision. It is written
with bulk inserts into a SQLite file; the export then reads it the way
`athar export` does, with the real writers, into files that are thrown away.

Run: .venv/bin/python bench/export.py [--values 200000] [--db PATH] [--formats jsonl,csv]
(a --db file that already holds the corpus is reused as it is).
"""

import argparse
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from db.documents import text_sha256  # noqa: E402
from db.engine import make_engine, migrate, session_scope  # noqa: E402
from db.models import AuditEntry, Document, Extraction, Record, Run, Value  # noqa: E402
from extractor.cli_export import ExportFormat, export_to  # noqa: E402

SENTENCE = (
    "قُتل {n} عناصر من قوات سوريا الديمقراطية وأصيب {m} آخرون في هجوم شنّه تنظيم داعش "
    "على بلدة ذيبان بريف دير الزور الشرقي، بحسب ما أفاد به المرصد السوري. "
)
FIGURE = ("category", "count", "unit", "group", "scope", "part_of", "event", "reported_by")
EVENT = ("event_type", "date", "location", "actor1", "actor2", "reported_by")
RECORDS = ("event", "figure", "figure", "figure", "figure")  # 6 + 4 * 8 = 38 values
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def _value(field: str, n: int):
    return {
        "category": "killed",
        "count": {"best": n, "low": n, "high": n, "qualifier": "exact", "vague_term": None},
        "unit": "persons",
        "group": {"actor": "SDF", "subgroup": None},
        "scope": {"kind": "incident", "since": None, "until": None},
        "event": "E1",
        "event_type": "armed_clash",
        "date": {"value": "2026-02-28", "precision": "day"},
        "location": {"name": "ذيبان", "admin1": "Deir ez-Zor", "country": "SY"},
        "actor1": "Islamic State",
        "actor2": "SDF",
        "reported_by": "SOHR",
    }.get(field)


def generate(engine, values_wanted: int) -> int:
    """Write the corpus; returns the number of values."""
    per_doc = 6 + 8 * (len(RECORDS) - 1)
    docs = -(-values_wanted // per_doc)
    with session_scope(engine) as session:
        run = Run(backend="llm", model="bench", prompt_version="p1", schema_version="1")
        session.add(run)
        session.flush()
        for first in range(0, docs, 500):
            batch = range(first, min(first + 500, docs))
            texts = [SENTENCE.format(n=i % 97 + 2, m=i % 13 + 1) * 3 for i in batch]
            doc_ids = list(
                session.scalars(
                    insert(Document).returning(Document.id),
                    [
                        {
                            "sha256": text_sha256(f"{i}:{t}"),
                            "text": t,
                            "external_id": f"b-{i}",
                            "state": "done",
                            "done_by": "bench",
                            "done_at": NOW,
                            "ingested_at": NOW,
                        }
                        for i, t in zip(batch, texts, strict=True)
                    ],
                )
            )
            extraction_ids = list(
                session.scalars(
                    insert(Extraction).returning(Extraction.id),
                    [
                        {
                            "run_id": run.id,
                            "document_id": d,
                            "text_sha256": "-",
                            "backend": "llm",
                            "model": "bench",
                            "prompt_version": "p1",
                            "schema_version": "1",
                            "attempts": [],
                            "created_at": NOW,
                        }
                        for d in doc_ids
                    ],
                )
            )
            record_rows = [
                {
                    "document_id": d,
                    "extraction_id": e,
                    "kind": kind,
                    "key": f"{kind[0].upper()}{k}",
                    "origin": "model",
                    "evidence_quote": t[:60],
                    "evidence_source": t[:60],
                    "evidence_start": 0,
                    "evidence_end": 60,
                    "evidence_match": "exact",
                    "rejected": False,
                }
                for d, e, t in zip(doc_ids, extraction_ids, texts, strict=True)
                for k, kind in enumerate(RECORDS, 1)
            ]
            record_ids = list(session.scalars(insert(Record).returning(Record.id), record_rows))
            text_of = dict(zip(doc_ids, texts, strict=True))
            value_rows = []
            for record_id, row in zip(record_ids, record_rows, strict=True):
                text = text_of[row["document_id"]]
                for field in EVENT if row["kind"] == "event" else FIGURE:
                    value = _value(field, record_id % 50)
                    cited = field in ("category", "count", "event_type", "location")
                    value_rows.append(
                        {
                            "record_id": record_id,
                            "document_id": row["document_id"],
                            "field": field,
                            "model_value": value,
                            "model_quote": text[4:7] if cited else None,
                            "model_start": 4 if cited else None,
                            "model_end": 7 if cited else None,
                            "match": "exact" if cited else None,
                            "score": 1.0 if cited else 0.0,
                            "value": value,
                            "quote": text[4:7] if cited else None,
                            "source": text[4:7] if cited else None,
                            "start": 4 if cited else None,
                            "end": 7 if cited else None,
                            "decision": "accepted",
                            "decided_by": "bench",
                            "decided_at": NOW,
                            "version": 1,
                        }
                    )
            value_ids = list(session.scalars(insert(Value).returning(Value.id), value_rows))
            session.execute(
                insert(AuditEntry),
                [
                    {
                        "document_id": row["document_id"],
                        "record_id": row["record_id"],
                        "value_id": value_id,
                        "annotator": "bench",
                        "action": "accepted",
                        "before": {"decision": None, "version": 0},
                        "after": {"decision": "accepted", "version": 1},
                        "at": NOW,
                    }
                    for value_id, row in zip(value_ids, value_rows, strict=True)
                ],
            )
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(Value))


class PeakMemory:
    """The most the process's resident memory grew while the block ran (sampled every 20 ms).

    A streaming export stays flat whatever the corpus size; one that held
    every row would grow with it.
    """

    def __enter__(self) -> "PeakMemory":
        self._process = psutil.Process()
        self._baseline = self._peak = self._process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self._peak = max(self._peak, self._process.memory_info().rss)

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def growth(self) -> int:
        return self._peak - self._baseline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--values", type=int, default=200_000)
    parser.add_argument("--db", type=Path, help="SQLite file to use (default: a temporary one)")
    parser.add_argument("--formats", default=",".join(f.value for f in ExportFormat))
    args = parser.parse_args()
    console = Console()
    workdir = Path(tempfile.mkdtemp(prefix="athar-bench-export-"))
    db = args.db or workdir / "bench.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    with session_scope(engine) as session:
        values = session.scalar(select(func.count()).select_from(Value))
    if not values:
        started = time.perf_counter()
        values = generate(engine, args.values)
        console.print(f"generated {values} values in {time.perf_counter() - started:.1f} s ({db})")
    table = Table(title=f"athar export: {values:,} values, SQLite")
    for column in ("format", "documents", "wall s", "CPU s", "values/s", "file MB", "+RSS MB"):
        table.add_column(column, justify="left" if column == "format" else "right")
    for name in args.formats.split(","):
        out = workdir / f"export.{name}"
        started, cpu = time.perf_counter(), time.process_time()
        with PeakMemory() as memory, session_scope(engine) as session:
            documents = export_to(session, out, ExportFormat(name), "done")
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        size = out.stat().st_size / 1e6
        table.add_row(
            name,
            str(documents),
            f"{seconds:.2f}",
            f"{cpu:.2f}",
            f"{values / seconds:,.0f}",
            f"{size:.1f}",
            f"{memory.growth / 1e6:.0f}",
        )
        out.unlink()
    console.print(table)
    console.print(
        "goal: under 10 s per format for 200,000 values. CPU s is the export's own "
        "processor time, which other work on the machine does not inflate; +RSS MB is how "
        "far memory grew during the export. "
        f"reproduce: .venv/bin/python bench/export.py --values {args.values}"
    )


if __name__ == "__main__":
    main()
