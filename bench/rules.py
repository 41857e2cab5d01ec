"""Rules backend benchmark: speed on the dev articles, and the scores `athar eval` gives.

The dev articles and their gold are read at run time from ../shared/data (they
are not part of the project). Speed is measured in one process: the lexicons
are loaded once (their load time is printed apart), then every article is
extracted ROUNDS times and the best round counts, so a busy machine shows as
a slower worst round, not a slower figure. Scores come from the same
functions `athar eval` uses; the project's own demo corpus is scored too, as a
second measure on text the rules were not tuned on.

Run: .venv/bin/python bench/rules.py [--rounds 5] [--json]
"""

import argparse
import json
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractor.evaluation import Scores, score  # noqa: E402
from extractor.predictions import Text, predict, read_gold_file, texts_for_gold  # noqa: E402
from extractor.rules import extract_records  # noqa: E402
from extractor.rules.lexicon import lexicon, rules_version  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "dev"
SETS = {
    "dev": (SHARED / "gold.jsonl", SHARED / "texts.jsonl"),
    "demo": (ROOT / "demo" / "gold.jsonl", ROOT / "demo" / "corpus.jsonl"),
}


def timed_rounds(texts: list[Text], rounds: int) -> list[float]:
    """Seconds per round over all texts (the rules' caches cleared between rounds)."""
    from extractor.normalize import normalize_for_match
    from extractor.rules.phrases import words_of

    times = []
    for _ in range(rounds):
        normalize_for_match.cache_clear()
        words_of.cache_clear()
        started = time.perf_counter()
        for t in texts:
            extract_records(t.text, t.published)
        times.append(time.perf_counter() - started)
    return times


def scores_row(table: Table, name: str, scores: Scores) -> None:
    def cell(prf) -> str:
        return f"{prf.f1:.3f} ({prf.precision:.3f}/{prf.recall:.3f})" if prf.f1 is not None else "-"

    fields = scores.figure_fields
    table.add_row(
        name,
        str(len(scores.documents)),
        cell(scores.figures),
        cell(scores.figures_unknown),
        f"{fields['qualifier'].value:.3f}",
        cell(scores.events),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if not SETS["dev"][0].exists():
        sys.exit(f"{SETS['dev'][0]} not found: the shared data must sit beside the project")

    started = time.perf_counter()
    lexicon()
    load_s = time.perf_counter() - started

    results: dict = {"rules_version": rules_version(), "lexicon_load_s": round(load_s, 3)}
    table = Table(title=f"rules backend ({rules_version()}): scores from athar eval")
    for column in (
        "set",
        "docs",
        "figures F1 (P/R)",
        "no-number F1 (P/R)",
        "qualifier acc.",
        "events F1 (P/R)",
    ):
        table.add_column(column, justify="right")
    texts: dict[str, list[Text]] = {}
    for name, (gold_path, texts_path) in SETS.items():
        gold = read_gold_file(gold_path)
        texts[name] = texts_for_gold(gold, None, texts_path)
        scores = score(gold, predict(texts[name]))
        scores_row(table, name, scores)
        results[name] = scores.to_dict()

    dev = texts["dev"]
    times = timed_rounds(dev, args.rounds)
    chars = sum(len(t.text) for t in dev)
    best = min(times)
    results["speed"] = {
        "articles": len(dev),
        "characters": chars,
        "rounds": args.rounds,
        "best_round_s": round(best, 4),
        "worst_round_s": round(max(times), 4),
        "articles_per_s": round(len(dev) / best, 1),
        "ms_per_article": round(1000 * best / len(dev), 2),
        "characters_per_s": round(chars / best),
    }
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    console = Console()
    console.print(table)
    speed = results["speed"]
    console.print(
        f"speed on the dev set, one process: {speed['articles_per_s']} articles/s "
        f"({speed['ms_per_article']} ms per article, {speed['characters_per_s']:,} characters/s; "
        f"best of {args.rounds} rounds over {speed['articles']} articles, worst round "
        f"{speed['worst_round_s']} s); lexicons load once in {load_s:.2f} s"
    )
    console.print(f"reproduce: .venv/bin/python bench/rules.py --rounds {args.rounds}")


if __name__ == "__main__":
    main()
