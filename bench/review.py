"""Review app benchmark: how fast the app answers an annotator on a large database.

Generates a synthetic corpus (Arabic sentences written for this benchmark,
varied in numbers, places, actors and dates): DOCUMENTS documents with one
figure and two events each (8 + 6 + 6 = 20 cited values), a share of them
with a quote that is not found or only fuzzily found, some documents done.
Then it starts the real `athar review` server on it and drives Debian's
Chromium with Playwright, measuring:

- time to open the queue (page load until the queue table is drawn);
- time from pressing `A` (accept) until the next value is active, over many
  values across several documents (median and 95th percentile);
- the app server's resident memory (peak sampled during the run).

Run: .venv/bin/python bench/review.py [--documents 10000] [--accepts 120] [--db PATH]
(a --db file that already holds the corpus is reused as it is).
"""

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psutil
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from db.documents import text_sha256  # noqa: E402
from db.engine import make_engine, migrate, session_scope  # noqa: E402
from db.models import Document, Extraction, Record, Run, Value  # noqa: E402
from db.queue import queue_page  # noqa: E402
from tests.browser.browser_launch import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
NOW = datetime(2026, 3, 1, tzinfo=UTC)

PLACES = [
    ("ذيبان", "Deir ez-Zor", "SY"),
    ("الميادين", "Deir ez-Zor", "SY"),
    ("الشدادي", "Hasakah", "SY"),
    ("الطبقة", "Raqqa", "SY"),
    ("تلعفر", "Nineveh", "IQ"),
    ("طوزخورماتو", "Saladin", "IQ"),
]
ACTORS = [("قوات سوريا الديمقراطية", "SDF"), ("الجيش العراقي", "Iraqi Security Forces")]
DAYS = ["الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"]


class Article:
    """Builds a text piece by piece, remembering where each cited piece stands."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, piece: str) -> tuple[int, int]:
        start = self.length
        self.parts.append(piece)
        self.length += len(piece)
        return start, self.length

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _article(n: int, rng: random.Random):
    """One document's text and its records as (kind, key, evidence span, [(field, value, span)])."""
    a = Article()
    place, admin1, country = rng.choice(PLACES)
    place2 = rng.choice(PLACES)[0]
    actor_ar, actor = rng.choice(ACTORS)
    killed, wounded, held = rng.randint(2, 40), rng.randint(2, 60), rng.randint(3, 90)
    day = rng.choice(DAYS)
    when = (date(2024, 1, 1) + timedelta(days=rng.randint(0, 800))).isoformat()

    ev1_start = a.length
    verb = a.add("قُتل")
    a.add(" ")
    count = a.add(f"ما لا يقل عن {killed}")
    a.add(" عنصراً من ")
    group = a.add(actor_ar)
    a.add(" في ")
    attack = a.add("هجوم مسلح")
    a.add(" استهدف ")
    where = a.add(f"بلدة {place}")
    a.add(" ")
    on_day = a.add(f"يوم {day}")
    ev1 = (ev1_start, a.length)
    a.add("، بحسب ")
    source = a.add("المرصد السوري")
    a.add(f". وأصيب {wounded} آخرون بجروح متفاوتة. ")
    ev2_start = a.length
    a.add("وفي ")
    where2 = a.add(place2)
    a.add("، ")
    arrest = a.add("اعتقلت")
    a.add(f" قوات الأمن {held} شخصاً في حملة مداهمات")
    ev2 = (ev2_start, a.length)
    a.add(f" (تقرير رقم {n}).")

    figure = [
        ("category", "killed", verb),
        ("count", _count(killed), count),
        ("unit", "persons", None),
        ("group", {"actor": actor, "subgroup": None}, group),
        ("scope", {"kind": "incident", "since": None, "until": None}, None),
        ("part_of", None, None),
        ("event", "E1", None),
        ("reported_by", "SOHR", source),
    ]
    event1 = [
        ("event_type", "armed_clash", attack),
        ("date", {"value": when, "precision": "day"}, on_day),
        ("location", {"name": place, "admin1": admin1, "country": country}, where),
        ("actor1", "Islamic State", None),
        ("actor2", actor, group),
        ("reported_by", "SOHR", source),
    ]
    event2 = [
        ("event_type", "arrest", arrest),
        ("date", {"value": when, "precision": "day"}, None),
        ("location", {"name": place2, "admin1": None, "country": country}, where2),
        ("actor1", actor, None),
        ("actor2", None, None),
        ("reported_by", None, None),
    ]
    records = [
        ("figure", "F1", (ev1[0], count[1]), figure),
        ("event", "E1", ev1, event1),
        ("event", "E2", ev2, event2),
    ]
    return a.text, when, records


def _count(n: int) -> dict:
    return {"best": n, "low": n, "high": None, "qualifier": "at_least", "vague_term": None}


def generate(engine, documents: int, seed: int = 7) -> None:
    """Write the corpus with bulk inserts, a few thousand rows per statement."""
    rng = random.Random(seed)
    with session_scope(engine) as session:
        run = Run(backend="rules", model="rules-v1", prompt_version="bench", schema_version="1")
        session.add(run)
        session.flush()
        run_id = run.id
    record_id = value_id = 0
    batch = 500
    for first in range(0, documents, batch):
        docs, extractions, records, values = [], [], [], []
        for n in range(first + 1, min(first + batch, documents) + 1):
            text, when, found = _article(n, rng)
            done = rng.random() < 0.05
            flagged = rng.random() < 0.2
            docs.append(
                {
                    "id": n,
                    "sha256": text_sha256(text),
                    "text": text,
                    "external_id": f"bench-{n}",
                    "title": f"تقرير ميداني رقم {n}",
                    "published": when,
                    "outlet": "athar bench",
                    "ingested_at": NOW,
                    "state": "done" if done else "new",
                    "done_by": "bench" if done else None,
                    "done_at": NOW if done else None,
                }
            )
            extractions.append(
                {
                    "id": n,
                    "run_id": run_id,
                    "document_id": n,
                    "text_sha256": docs[-1]["sha256"],
                    "backend": "rules",
                    "model": "rules-v1",
                    "prompt_version": "bench",
                    "schema_version": "1",
                    "status": "ok",
                    "attempts": [],
                    "created_at": NOW,
                }
            )
            for kind, key, evidence, fields in found:
                record_id += 1
                records.append(
                    {
                        "id": record_id,
                        "document_id": n,
                        "extraction_id": n,
                        "kind": kind,
                        "key": key,
                        "origin": "model",
                        "evidence_quote": text[evidence[0] : evidence[1]],
                        "evidence_source": text[evidence[0] : evidence[1]],
                        "evidence_start": evidence[0],
                        "evidence_end": evidence[1],
                        "evidence_match": "exact",
                        "rejected": False,
                    }
                )
                for field, value, span in fields:
                    value_id += 1
                    match = "exact" if span else None
                    if span and flagged and field == "reported_by":
                        match = "none"
                    elif span and flagged and field == "location":
                        match = "fuzzy"
                    quote = text[span[0] : span[1]] if span else None
                    located = span is not None and match != "none"
                    values.append(
                        {
                            "id": value_id,
                            "record_id": record_id,
                            "document_id": n,
                            "field": field,
                            "model_value": value,
                            "model_quote": quote,
                            "model_start": span[0] if located else None,
                            "model_end": span[1] if located else None,
                            "match": match,
                            "score": 1.0 if match == "exact" else 0.9 if match == "fuzzy" else 0.0,
                            "value": value,
                            "quote": quote,
                            "source": quote if located else None,
                            "start": span[0] if located else None,
                            "end": span[1] if located else None,
                            "decision": "accepted" if done else None,
                            "decided_by": "bench" if done else None,
                            "decided_at": NOW if done else None,
                            "version": 1 if done else 0,
                        }
                    )
        with session_scope(engine) as session:
            for table, rows in (
                (Document, docs),
                (Extraction, extractions),
                (Record, records),
                (Value, values),
            ):
                session.execute(insert(table), rows)


def _counts(engine) -> tuple[int, int]:
    with session_scope(engine) as session:
        documents = session.scalar(select(func.count()).select_from(Document))
        values = session.scalar(select(func.count()).select_from(Value))
    return documents, values


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(database: str, log: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "extractor", "review", "--db", database, "--port", str(port)],
        cwd=ROOT,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                return process, url
        except OSError:
            if process.poll() is not None:
                sys.exit(f"athar review exited: {log.read_text()}")
            time.sleep(0.2)
    sys.exit(f"athar review did not start: {log.read_text()}")


class PeakMemory(threading.Thread):
    """Samples the server's resident memory every 100 ms; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            tree = [self.process, *self.process.children(recursive=True)]
            self.peak = max(self.peak, sum(p.memory_info().rss for p in tree))
            time.sleep(0.1)


def _settle(page) -> None:
    page.wait_for_selector(IDLE)


# The active value and its version: either changes when a decision has been drawn.
SHOWN = (
    "(() => { const e = document.querySelector('[data-active-value]');"
    " return e ? e.dataset.activeValue + ':' + e.dataset.version : ''; })()"
)


def _shown(page) -> str:
    return page.evaluate(SHOWN)


def measure(url: str, accepts: int, queue_loads: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    timings: dict[str, list[float]] = {"queue": [], "accept": [], "open": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1500, "height": 1000})
        page = context.new_page()
        for _ in range(queue_loads):
            started = time.perf_counter()
            page.goto(f"{url}/?annotator=bench")
            page.wait_for_selector('[data-testid="stDataFrame"]')
            page.get_by_text("documents done").wait_for()
            _settle(page)
            timings["queue"].append(time.perf_counter() - started)
        started = time.perf_counter()
        page.get_by_role("button", name="Open next document").click()
        page.wait_for_selector("[data-active-value]")
        _settle(page)
        timings["open"].append(time.perf_counter() - started)
        while len(timings["accept"]) < accepts:
            page.locator(".st-key-accept button").wait_for()
            panel = page.locator("[data-active-value]")
            before = _shown(page)
            # A quote not found in the article cannot be accepted: reject it, untimed.
            accepting = panel.locator(".m-none").count() == 0
            started = time.perf_counter()
            page.keyboard.press("a" if accepting else "x")
            page.wait_for_function(f"before => ({SHOWN}) !== before", arg=before, polling="raf")
            elapsed = time.perf_counter() - started
            _settle(page)
            if accepting:
                timings["accept"].append(elapsed)
            if page.locator(".st-key-done button:not([disabled])").count():
                document = page.evaluate("new URLSearchParams(location.search).get('doc')")
                started = time.perf_counter()
                page.keyboard.press("d")
                page.wait_for_function(
                    f"new URLSearchParams(location.search).get('doc') !== '{document}'"
                )
                page.wait_for_selector("[data-active-value]")
                _settle(page)
                timings["open"].append(time.perf_counter() - started)
        browser.close()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=10_000)
    parser.add_argument("--accepts", type=int, default=120, help="accept presses to time")
    parser.add_argument("--queue-loads", type=int, default=5)
    parser.add_argument("--db", help="SQLite file to build (or reuse); default: a temp file")
    args = parser.parse_args()
    console = Console()

    database = args.db or str(Path(tempfile.mkdtemp(prefix="athar-bench-")) / "review.db")
    engine = make_engine(f"sqlite:///{database}")
    migrate(engine)
    documents, values = _counts(engine)
    if documents == 0:
        started = time.perf_counter()
        generate(engine, args.documents)
        documents, values = _counts(engine)
        console.print(
            f"generated {documents} documents, {values} values in "
            f"{time.perf_counter() - started:.1f} s"
        )
    started = time.perf_counter()
    with session_scope(engine) as session:
        queue_page(session)
    queue_query = time.perf_counter() - started

    log = Path(database).with_suffix(".server.log")
    process, url = _serve(database, log)
    memory = PeakMemory(process.pid)
    memory.start()
    try:
        timings = measure(url, args.accepts, args.queue_loads)
    finally:
        memory.stopping.set()
        memory.join()
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)

    accept = sorted(timings["accept"])
    p95 = accept[max(0, round(0.95 * len(accept)) - 1)]
    table = Table(title=f"review app on {documents:,} documents, {values:,} values (SQLite)")
    table.add_column("measure")
    table.add_column("figure", justify="right")
    table.add_column("goal", justify="right")
    table.add_row(
        "accept -> next value active, median",
        f"{statistics.median(accept) * 1000:.0f} ms",
        "< 300 ms",
    )
    table.add_row("accept -> next value active, p95", f"{p95 * 1000:.0f} ms", "")
    table.add_row(f"  (over {len(accept)} accepts)", "", "")
    table.add_row(
        "open the queue (page load, median)",
        f"{statistics.median(timings['queue']):.2f} s",
        "< 2 s",
    )
    table.add_row("  queue query alone", f"{queue_query * 1000:.0f} ms", "")
    table.add_row(
        "open the next document (median)", f"{statistics.median(timings['open']) * 1000:.0f} ms", ""
    )
    table.add_row("server resident memory, peak", f"{memory.peak / 2**20:.0f} MB", "< 500 MB")
    console.print(table)
    console.print(
        f"command: .venv/bin/python bench/review.py --documents {args.documents} "
        f"--accepts {args.accepts} --db {database}"
    )


if __name__ == "__main__":
    main()
