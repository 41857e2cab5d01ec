"""Pipeline benchmark: `athar extract` against the stub server, for throughput, overhead, memory.

The stub (tests/llm_stub.py) runs in its own process and answers every dev
article (../shared/data/dev, answers made from its gold) after a fixed delay,
0 ms or 500 ms. Each configuration runs the batch runner in a fresh process
on a fresh SQLite file, over the dev articles repeated `--copies` times (each
copy a distinct text, so nothing is skipped):

- documents per second, and the speed-up over concurrency 1 at the same delay;
- athar's overhead per document: the time not spent waiting on the model
  (wall time minus the summed duration of the HTTP calls, at concurrency 1),
  and athar's CPU time per document (everything the process did: HTTP client,
  instructor, grounding, validation, storage);
- peak resident memory of the process.

A last run over `--synthetic` generated documents (10,000 by default) samples
the resident memory as documents are stored, to show that it does not grow
with the number of documents.

Run: .venv/bin/python bench/pipeline.py [--copies 2] [--synthetic 10000]
"""

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from llm_stub import Script, answer, extraction_from_gold  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

DEV = ROOT.parent / "shared" / "data" / "dev"
PAGE = os.sysconf("SC_PAGE_SIZE")

VILLAGES = ["الشعفة", "السوسة", "هجين", "الباغوز", "ذيبان", "الشحيل", "البصيرة", "الكشمة"]
REGIONS = ["دير الزور", "الحسكة", "الرقة", "حلب"]
DAYS = ["السبت", "الأحد", "الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة"]


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 2**20


# -- the documents and their scripted answers -----------------------------------------------


def dev_documents(copies: int) -> list[tuple[str, str | None, dict]]:
    """(text, published, answer) for each dev article, `copies` times as distinct texts."""
    texts = {}
    for line in (DEV / "texts.jsonl").read_text("utf-8").splitlines():
        row = json.loads(line)
        texts[row["text_sha256"]] = row
    documents = []
    for line in (DEV / "gold.jsonl").read_text("utf-8").splitlines():
        gold = json.loads(line)
        row = texts[gold["text_sha256"]]
        for copy in range(copies):
            text = row["text"] + (f"\n\n(نسخة {copy})" if copy else "")
            documents.append((text, row["published"], extraction_from_gold(gold)))
    return documents


def synthetic_document(i: int) -> tuple[str, str | None, dict]:
    """A short generated report with one killed figure, one wounded figure and one event."""
    killed, wounded = 2 + i % 17, 1 + i % 9
    village, region, day = VILLAGES[i % 8], REGIONS[i % 4], DAYS[i % 7]
    first = (
        f"قال المرصد السوري لحقوق الإنسان إن {killed} مدنيين قتلوا في قصف مدفعي استهدف "
        f"قرية {village} في ريف {region} يوم {day}."
    )
    text = f"{first}\nوأضاف المرصد أن {wounded} آخرين أصيبوا بجروح. (تقرير رقم {i})"
    figure = {
        "unit": "persons",
        "unit_quote": None,
        "actor": "civilians",
        "subgroup": None,
        "group_quote": None,
        "scope": "incident",
        "since": None,
        "until": None,
        "scope_quote": None,
        "part_of": None,
        "part_of_quote": None,
        "event": "E1",
        "reported_by": "SOHR",
        "reported_by_quote": "المرصد السوري لحقوق الإنسان",
        "qualifier": "exact",
        "vague_term": None,
    }
    extraction = {
        "figures": [
            {
                **figure,
                "id": "F1",
                "evidence": f"{killed} مدنيين قتلوا",
                "category": "killed",
                "category_quote": "قتلوا",
                "count_quote": str(killed),
                "best": killed,
                "low": killed,
                "high": killed,
            },
            {
                **figure,
                "id": "F2",
                "evidence": f"{wounded} آخرين أصيبوا بجروح",
                "category": "wounded",
                "category_quote": "أصيبوا",
                "count_quote": str(wounded),
                "best": wounded,
                "low": wounded,
                "high": wounded,
            },
        ],
        "events": [
            {
                "id": "E1",
                "evidence": f"قصف مدفعي استهدف قرية {village}",
                "event_type": "shelling",
                "trigger_quote": "قصف مدفعي",
                "date": None,
                "date_precision": "unknown",
                "date_quote": None,
                "location_name": village,
                "admin1": None,
                "country": "SY",
                "location_quote": f"قرية {village}",
                "actor1": None,
                "actor1_quote": None,
                "actor2": "civilians",
                "actor2_quote": "مدنيين",
                "reported_by": "SOHR",
                "reported_by_quote": "المرصد السوري لحقوق الإنسان",
            }
        ],
    }
    return text, "2019-01-20", extraction


# -- one configuration, in its own process --------------------------------------------------


def child(args: argparse.Namespace) -> None:
    """Run the batch runner once and print what it measured as one JSON line."""
    from db.engine import get_engine
    from extractor.llm.backend import LLMBackend
    from extractor.llm.settings import LLMSettings
    from extractor.runner import Runner, RunOptions

    engine = get_engine(args.db)
    backend = LLMBackend(LLMSettings.from_env(base_url=args.base_url, api_key="bench"))
    samples: list[tuple[int, float]] = []
    every = args.sample_every
    # (documents, CPU s, wall s, model wait s) when the first and the latest documents were
    # stored: per-document figures are taken between the two, without the run's start-up.
    first: list[tuple[int, float, float, float]] = []
    latest: list[tuple[int, float, float, float]] = []

    def sample(stats) -> None:
        if not stats.processed:
            return
        mark = (stats.processed, time.process_time(), time.perf_counter(), stats.model_wait_s)
        if not first:
            first.append(mark)
        latest[:] = [mark]
        if every and stats.processed % every == 0:
            samples.append((stats.processed, round(rss_mb(), 1)))

    options = RunOptions(concurrency=args.concurrency)
    cpu_before = time.process_time()
    stats = asyncio.run(Runner(engine, backend, options, on_progress=sample).run())
    (n0, cpu0, wall0, wait0), (n1, cpu1, wall1, wait1) = first[0], latest[0]
    print(
        json.dumps(
            {
                "steady_documents": n1 - n0,
                "steady_cpu_s": cpu1 - cpu0,
                "steady_wall_s": wall1 - wall0,
                "steady_model_wait_s": wait1 - wait0,
                "startup_cpu_s": cpu0 - cpu_before,
                "documents": stats.done,
                "failed": stats.failed,
                "elapsed_s": stats.elapsed_s,
                "cpu_s": stats.cpu_s,
                "model_wait_s": stats.model_wait_s,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "rss_samples": samples,
            }
        )
    )


# -- the parent: data, stub, configurations, table ------------------------------------------


def ingest(url: str, documents: list[tuple[str, str | None, dict]]) -> None:
    from db.documents import NewDocument, add_document
    from db.engine import make_engine, migrate, session_scope

    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as session:
        for text, published, _ in documents:
            add_document(session, NewDocument(text=text, published=published))
    engine.dispose()


class Stub:
    """The stub server in its own process, so its work is not counted as athar's."""

    def __init__(self, script_path: Path, latency_s: float) -> None:
        command = [
            sys.executable,
            str(ROOT / "tests" / "llm_stub.py"),
            "--script",
            str(script_path),
            "--latency",
            str(latency_s),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        self.url = self.process.stdout.readline().strip()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()


def run_config(
    folder: Path, name: str, documents: list, stub: Stub, concurrency: int, sample_every: int = 0
) -> dict:
    url = f"sqlite:///{folder / f'{name}-c{concurrency}.db'}"
    ingest(url, documents)
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "child",
        "--db",
        url,
        "--base-url",
        stub.url,
        "--concurrency",
        str(concurrency),
        "--sample-every",
        str(sample_every),
    ]
    env = {**os.environ, "ATHAR_MODEL": "gpt-4.1-mini"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def script_file(folder: Path, documents: list) -> Path:
    script = Script()
    for text, _, extraction in documents:
        script.add(text, answer(extraction))
    path = folder / f"script-{len(documents)}.json"
    path.write_text(script.to_json(), "utf-8")
    return path


def parent(args: argparse.Namespace) -> None:
    console = Console()
    documents = dev_documents(args.copies)
    results = []
    with tempfile.TemporaryDirectory(prefix="athar-bench-") as tmp:
        folder = Path(tmp)
        script = script_file(folder, documents)
        for latency in (0.0, 0.5):
            stub = Stub(script, latency)
            try:
                for concurrency in (1, 8, 32):
                    console.print(f"dev x{args.copies}: {latency * 1000:.0f} ms, c={concurrency}")
                    result = run_config(folder, f"dev{latency}", documents, stub, concurrency)
                    results.append((latency, concurrency, result))
            finally:
                stub.stop()
        synthetic = [synthetic_document(i) for i in range(args.synthetic)]
        memory = None
        if synthetic:
            stub = Stub(script_file(folder, synthetic), 0.0)
            try:
                console.print(f"synthetic: {len(synthetic)} documents, 0 ms, c=32")
                memory = run_config(
                    folder, "synthetic", synthetic, stub, 32, sample_every=len(synthetic) // 10
                )
            finally:
                stub.stop()
    report(console, args, documents, results, memory)


def report(console: Console, args, documents: list, results: list, memory: dict | None) -> None:
    table = Table(title=f"athar extract against the stub ({len(documents)} dev documents)")
    for column in (
        "model delay",
        "concurrency",
        "docs/s",
        "speed-up",
        "not waiting on the model, ms/doc",
        "athar CPU, ms/doc",
        "peak RSS, MB",
    ):
        table.add_column(column, justify="right")
    base = {}
    for latency, concurrency, r in results:
        rate = r["documents"] / r["elapsed_s"]
        base.setdefault(latency, rate)
        n = r["steady_documents"]
        own = (
            f"{1000 * (r['steady_wall_s'] - r['steady_model_wait_s']) / n:.1f}"
            if concurrency == 1
            else "-"
        )
        table.add_row(
            f"{latency * 1000:.0f} ms",
            str(concurrency),
            f"{rate:.1f}",
            f"{rate / base[latency]:.1f}x",
            own,
            f"{1000 * r['steady_cpu_s'] / n:.1f}",
            f"{r['peak_rss_mb']:.0f}",
        )
        assert r["failed"] == 0, r
    console.print(table)
    startup = max(r["startup_cpu_s"] for _, _, r in results)
    console.print(
        "docs/s over the whole run; per-document times from the first document stored to the "
        f"last, without the run's one-time start-up (at most {startup:.2f} s CPU)"
    )
    if memory:
        samples = ", ".join(f"{n}: {mb:.0f}" for n, mb in memory["rss_samples"])
        console.print(
            f"{memory['documents']} synthetic documents at concurrency 32: "
            f"{memory['documents'] / memory['elapsed_s']:.0f} docs/s, "
            f"{1000 * memory['steady_cpu_s'] / memory['steady_documents']:.1f} ms CPU/doc, "
            f"peak RSS {memory['peak_rss_mb']:.0f} MB"
        )
        console.print(f"RSS (MB) after n documents: {samples}")
    console.print(
        f"command: .venv/bin/python bench/pipeline.py --copies {args.copies} "
        f"--synthetic {args.synthetic}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="mode")
    one = sub.add_parser("child", help="one configuration (used by the benchmark itself)")
    one.add_argument("--db", required=True)
    one.add_argument("--base-url", required=True)
    one.add_argument("--concurrency", type=int, required=True)
    one.add_argument("--sample-every", type=int, default=0)
    parser.add_argument("--copies", type=int, default=5, help="times each dev article is run")
    parser.add_argument("--synthetic", type=int, default=10_000, help="0 to skip the memory run")
    args = parser.parse_args()
    started = time.perf_counter()
    if args.mode == "child":
        child(args)
    else:
        parent(args)
        print(f"({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
