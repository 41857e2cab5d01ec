"""Grounding benchmark: athar's ground() beside LangExtract's WordAligner.

Every gold quote of ../shared/data/dev (evidence, count, trigger and location
quotes of figures and events) is perturbed the ways a model drifts from a
verbatim quote (extractor/perturb.py), and both tools look for it in its
article. A quote counts as located when the span found covers at least 90% of
the gold span or of an identical occurrence of the gold quote (inside the
record's evidence, for value quotes).

Both tools get the same information: athar gets the record's evidence span as
`within` for value quotes; LangExtract gets the evidence as its chunk (with
`char_offset`), its own way to narrow alignment. LangExtract runs with the
defaults of its Resolver.align (lesser matches accepted, fuzzy threshold 0.75).
Its fuzzy fallback scans every token window of the chunk and takes seconds per
unmatched quote, so it runs on a fixed sample per class; the full suite runs
it with the fuzzy fallback off.

Run: .venv/bin/python bench/grounding.py [--fuzzy-sample N] [--repeat N]
"""

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extractor.grounding import Span, ground  # noqa: E402
from extractor.perturb import PERTURBATIONS, GoldQuote, load_gold_quotes, located  # noqa: E402

DATA = ROOT.parent / "shared" / "data"

Locator = Callable[["Case"], Span | None]


@dataclass(frozen=True)
class Case:
    perturbation: str
    gold: GoldQuote
    quote: str


@dataclass(frozen=True)
class Score:
    n: int
    located: int
    seconds: float

    @property
    def share(self) -> float:
        return self.located / self.n if self.n else 0.0

    @property
    def per_second(self) -> float:
        return self.n / self.seconds if self.seconds else 0.0


def build_suite(quotes: list[GoldQuote]) -> list[Case]:
    """Each gold quote under each perturbation that changes it."""
    cases = []
    for name, perturb in PERTURBATIONS.items():
        for gold in quotes:
            quote = perturb(gold.quote)
            if name == "verbatim" or quote != gold.quote:
                cases.append(Case(name, gold, quote))
    return cases


def athar(case: Case) -> Span | None:
    found = ground(case.gold.text, case.quote, within=case.gold.within)
    return None if found.start is None else (found.start, found.end)


def langextract_locator(fuzzy: bool) -> Locator:
    try:
        from langextract.core.data import Extraction
        from langextract.resolver import WordAligner
    except ImportError:
        sys.exit("LangExtract is not installed: pip install -e '.[bench]'")

    def locate(case: Case) -> Span | None:
        lo, hi = case.gold.within or (0, len(case.gold.text))
        extraction = Extraction(extraction_class="quote", extraction_text=case.quote)
        WordAligner().align_extractions(
            [[extraction]],
            case.gold.text[lo:hi],
            char_offset=lo,
            enable_fuzzy_alignment=fuzzy,
            fuzzy_alignment_threshold=0.75,
            accept_match_lesser=True,
        )
        interval = extraction.char_interval
        if interval is None or interval.start_pos is None:
            return None
        return interval.start_pos, interval.end_pos

    return locate


def measure(locate: Locator, cases: list[Case], repeat: int = 1) -> Score:
    """Locate every case `repeat` times; the score is of the last pass, the
    time the fastest pass (the first pass also pays for per-article caches)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        spans = [locate(case) for case in cases]
        best = min(best, time.perf_counter() - started)
    hits = sum(located(span, case.gold) for span, case in zip(spans, cases, strict=True))
    return Score(len(cases), hits, best)


def _total(scores: dict[str, Score]) -> Score:
    return Score(
        sum(s.n for s in scores.values()),
        sum(s.located for s in scores.values()),
        sum(s.seconds for s in scores.values()),
    )


def _table(
    athar_scores: dict[str, Score],
    le_scores: dict[str, Score],
    le_fuzzy: dict[str, Score],
) -> Table:
    table = Table(title="Grounding perturbed gold quotes (../shared/data/dev)")
    for column in ("perturbation", "n", "athar located", "athar quotes/s"):
        table.add_column(column, justify="left" if column == "perturbation" else "right")
    table.add_column("LangExtract located", justify="right")
    table.add_column("LangExtract quotes/s", justify="right")
    if le_fuzzy:
        table.add_column("LangExtract+fuzzy located (sample)", justify="right")
        table.add_column("LangExtract+fuzzy quotes/s", justify="right")
    names = list(athar_scores)
    rows = [(name, athar_scores[name], le_scores[name], le_fuzzy.get(name)) for name in names]
    rows.append(("overall", _total(athar_scores), _total(le_scores), _total(le_fuzzy)))
    for name, ours, theirs, theirs_fuzzy in rows:
        cells = [name, str(ours.n), f"{ours.share:.1%}", f"{ours.per_second:,.0f}"]
        cells += [f"{theirs.share:.1%}", f"{theirs.per_second:,.0f}"]
        if le_fuzzy:
            cells += [
                f"{theirs_fuzzy.share:.1%} of {theirs_fuzzy.n}",
                f"{theirs_fuzzy.per_second:,.1f}",
            ]
        table.add_row(*cells, end_section=name == names[-1])
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--fuzzy-sample",
        type=int,
        default=8,
        help="quotes per class for LangExtract with its fuzzy fallback (0 skips it)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="timed passes for athar (the fastest counts)"
    )
    args = parser.parse_args()
    if not (DATA / "dev" / "gold.jsonl").exists():
        sys.exit(f"gold data not found at {DATA}/dev (../shared/data beside the project)")

    cases = build_suite(load_gold_quotes(DATA))
    by_class = {name: [c for c in cases if c.perturbation == name] for name in PERTURBATIONS}
    athar_scores = {name: measure(athar, group, args.repeat) for name, group in by_class.items()}
    plain = langextract_locator(fuzzy=False)
    le_scores = {name: measure(plain, group) for name, group in by_class.items()}
    le_fuzzy = {}
    if args.fuzzy_sample > 0:
        fuzzy = langextract_locator(fuzzy=True)
        for name, group in by_class.items():
            step = max(1, len(group) // args.fuzzy_sample)
            le_fuzzy[name] = measure(fuzzy, group[::step][: args.fuzzy_sample])

    console = Console(width=max(Console().width, 150))
    console.print(_table(athar_scores, le_scores, le_fuzzy))
    console.print(
        "located: |found ∩ true| / |true| >= 0.9, where true is the gold span or an identical "
        "occurrence of the gold quote (inside the record's evidence, for value quotes)."
    )
    console.print(
        f"athar: ground(), fastest of {args.repeat} passes (the first also folds each article"
        " once). LangExtract: WordAligner.align_extractions, one quote per call, lesser matches"
        " accepted; '+fuzzy' adds its fuzzy fallback (threshold 0.75) on an evenly spaced sample."
    )
    console.print(
        "reproduce: .venv/bin/python bench/grounding.py"
        f" --fuzzy-sample {args.fuzzy_sample} --repeat {args.repeat}"
    )


if __name__ == "__main__":
    main()
