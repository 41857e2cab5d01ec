"""The demo corpus and its gold must stay valid against the codebook.

The demo articles feed the review app's walkthrough and other tests, so a
broken span, a stale hash or a count that breaks the count table would
surface there as a confusing failure far from its cause. These checks fail
here instead, next to the data.
"""

import hashlib
import json
import re
from datetime import date
from pathlib import Path

import pytest
from shared_data import DEV_TEXTS

from schemas.codebook import (
    DatePrecision,
    EventType,
    FigureCategory,
    Qualifier,
    ScopeKind,
    Unit,
)

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "demo"

# The count table's fixed readings of the vague words (CODEBOOK.md section 2).
VAGUE_COUNTS = {
    "عشرات": (10, 10, 99),
    "العشرات": (10, 10, 99),
    "مئات": (100, 100, 999),
    "آلاف": (1000, 1000, 9999),
    "عشرات الآلاف": (10000, 10000, 99999),
}
# Arabic-Indic and Persian digits read as ASCII, so a count quote can be checked
# against the normalised number whatever script the article used.
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
CORPUS_KEYS = {"id", "title", "outlet", "published", "url", "text"}
FIGURE_KEYS = {
    "id",
    "evidence",
    "evidence_span",
    "count_quote",
    "count_span",
    "category",
    "best",
    "low",
    "high",
    "qualifier",
    "vague_term",
    "unit",
    "actor",
    "subgroup",
    "scope",
    "since",
    "until",
    "part_of",
    "event",
    "reported_by",
}
EVENT_KEYS = {
    "id",
    "evidence",
    "evidence_span",
    "trigger_quote",
    "trigger_span",
    "event_type",
    "date",
    "date_precision",
    "location_name",
    "location_quote",
    "location_span",
    "admin1",
    "country",
    "actor1",
    "actor2",
    "reported_by",
}


def _read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@pytest.fixture(scope="module")
def corpus() -> list[dict]:
    return _read_jsonl(DEMO / "corpus.jsonl")


@pytest.fixture(scope="module")
def gold() -> list[dict]:
    return _read_jsonl(DEMO / "gold.jsonl")


@pytest.fixture(scope="module")
def texts(corpus: list[dict]) -> dict[str, str]:
    return {article["id"]: article["text"] for article in corpus}


def _figures(gold: list[dict]):
    for doc in gold:
        for figure in doc["figures"]:
            yield doc["doc_id"], figure


def _events(gold: list[dict]):
    for doc in gold:
        for event in doc["events"]:
            yield doc["doc_id"], event


def _numbers(quote: str) -> list[int]:
    """Numbers written in digits inside a count quote, any digit script."""
    return [int(run) for run in re.findall(r"\d+", quote.translate(DIGITS))]


def test_corpus_has_ten_well_formed_articles(corpus: list[dict]) -> None:
    assert [article["id"] for article in corpus] == [f"demo-{n:02d}" for n in range(1, 11)]
    for article in corpus:
        assert set(article) == CORPUS_KEYS, article["id"]
        assert article["outlet"] == "athar demo"
        assert article["url"] is None
        assert article["title"].strip()
        assert date.fromisoformat(article["published"]).year == 2026
        assert 120 <= len(article["text"].split()) <= 300, article["id"]


def test_gold_matches_corpus_by_id_and_hash(corpus: list[dict], gold: list[dict]) -> None:
    assert [doc["doc_id"] for doc in gold] == [article["id"] for article in corpus]
    for article, doc in zip(corpus, gold, strict=True):
        digest = hashlib.sha256(article["text"].encode("utf-8")).hexdigest()
        assert doc["text_sha256"] == digest, doc["doc_id"]
        assert set(doc) == {"doc_id", "text_sha256", "figures", "events"}


def test_every_span_reproduces_its_quote(gold: list[dict], texts: dict[str, str]) -> None:
    pairs = [("evidence", "evidence_span"), ("count_quote", "count_span")]
    event_pairs = [
        ("evidence", "evidence_span"),
        ("trigger_quote", "trigger_span"),
        ("location_quote", "location_span"),
    ]
    checked = 0
    for doc_id, record, fields in [
        *((d, f, pairs) for d, f in _figures(gold)),
        *((d, e, event_pairs) for d, e in _events(gold)),
    ]:
        text = texts[doc_id]
        for quote_key, span_key in fields:
            quote, span = record[quote_key], record[span_key]
            if quote is None:
                assert span is None, (doc_id, record["id"], span_key)
                continue
            start, end = span
            assert quote, (doc_id, record["id"], quote_key)
            assert text[start:end] == quote, (doc_id, record["id"], quote_key)
            checked += 1
    assert checked > 100


def test_records_use_codebook_enums_and_keys(gold: list[dict]) -> None:
    for doc_id, figure in _figures(gold):
        assert set(figure) == FIGURE_KEYS, (doc_id, figure["id"])
        FigureCategory(figure["category"])
        Qualifier(figure["qualifier"])
        Unit(figure["unit"])
        ScopeKind(figure["scope"])
    for doc_id, event in _events(gold):
        assert set(event) == EVENT_KEYS, (doc_id, event["id"])
        EventType(event["event_type"])
        DatePrecision(event["date_precision"])
        assert re.fullmatch(r"[A-Z]{2}", event["country"]), (doc_id, event["id"])


def test_counts_follow_the_count_table(gold: list[dict]) -> None:
    for doc_id, figure in _figures(gold):
        where = (doc_id, figure["id"])
        qualifier = Qualifier(figure["qualifier"])
        best, low, high = figure["best"], figure["low"], figure["high"]
        quote = figure["count_quote"]
        if qualifier is Qualifier.UNKNOWN:
            assert (best, low, high, quote) == (None, None, None, None), where
            continue
        assert quote is not None, where
        assert (figure["vague_term"] is not None) == (qualifier is Qualifier.VAGUE), where
        if qualifier is Qualifier.EXACT:
            assert best is not None and best == low == high, where
        elif qualifier is Qualifier.AT_LEAST:
            assert (low, high) == (best, None) and best is not None, where
        elif qualifier is Qualifier.MORE_THAN:
            assert best is not None and (low, high) == (best + 1, None), where
        elif qualifier is Qualifier.LESS_THAN:
            assert best is None and low == 1 and high is not None, where
        elif qualifier is Qualifier.APPROX:
            assert best is not None and (low, high) == (None, None), where
        elif qualifier is Qualifier.RANGE:
            assert best is None and low is not None and high is not None and low < high, where
        elif qualifier is Qualifier.VAGUE:
            assert figure["vague_term"] in quote, where
            assert (best, low, high) == VAGUE_COUNTS[figure["vague_term"]], where


def test_digit_quotes_agree_with_normalised_counts(gold: list[dict]) -> None:
    checked = 0
    for doc_id, figure in _figures(gold):
        numbers = _numbers(figure["count_quote"] or "")
        if not numbers:
            continue
        qualifier = Qualifier(figure["qualifier"])
        if qualifier is Qualifier.RANGE:
            assert numbers == [figure["low"], figure["high"]], (doc_id, figure["id"])
        elif qualifier is Qualifier.LESS_THAN:
            assert numbers == [figure["high"] + 1], (doc_id, figure["id"])
        else:
            assert numbers == [figure["best"]], (doc_id, figure["id"])
        checked += 1
    assert checked > 20


def test_links_point_inside_the_same_document(gold: list[dict]) -> None:
    for doc in gold:
        figure_ids = [figure["id"] for figure in doc["figures"]]
        event_ids = [event["id"] for event in doc["events"]]
        assert len(set(figure_ids)) == len(figure_ids), doc["doc_id"]
        assert len(set(event_ids)) == len(event_ids), doc["doc_id"]
        parents = {figure["id"]: figure["part_of"] for figure in doc["figures"]}
        for figure in doc["figures"]:
            assert figure["event"] in {None, *event_ids}, (doc["doc_id"], figure["id"])
            seen, node = {figure["id"]}, figure["part_of"]
            while node is not None:
                assert node in parents and node not in seen, (doc["doc_id"], figure["id"])
                seen.add(node)
                node = parents[node]


def test_dates_are_iso_and_not_after_publication(corpus: list[dict], gold: list[dict]) -> None:
    published = {article["id"]: date.fromisoformat(article["published"]) for article in corpus}
    for doc_id, figure in _figures(gold):
        for key in ("since", "until"):
            if figure[key] is not None:
                assert date.fromisoformat(figure[key]) <= published[doc_id], (doc_id, figure["id"])
    for doc_id, event in _events(gold):
        if event["date"] is None:
            assert event["date_precision"] == DatePrecision.UNKNOWN, (doc_id, event["id"])
        else:
            assert date.fromisoformat(event["date"]) <= published[doc_id], (doc_id, event["id"])


def test_actors_are_canonical_english_names(gold: list[dict]) -> None:
    for doc_id, record in [*_figures(gold), *_events(gold)]:
        for key in ("actor", "actor1", "actor2", "admin1"):
            value = record.get(key)
            assert value is None or value.isascii(), (doc_id, record["id"], key)


def test_corpus_covers_what_the_demo_promises(corpus: list[dict], gold: list[dict]) -> None:
    texts = [article["text"] for article in corpus]
    figures = [figure for _, figure in _figures(gold)]
    assert {figure["qualifier"] for figure in figures} == set(Qualifier)
    assert {figure["scope"] for figure in figures} == set(ScopeKind)
    assert {"عشرات", "مئات", "آلاف"} <= {figure["vague_term"] for figure in figures}
    assert {"arrested", "escaped", "at_large", "displaced"} <= {f["category"] for f in figures}
    assert any(figure["part_of"] for figure in figures)
    assert any("ارتفعت حصيلة" in re.sub("[\u064b-\u0652]", "", text) for text in texts)
    assert any(re.search("[٠-٩]", text) for text in texts)
    assert any(re.search("[0-9]", text) and not re.search("[٠-٩]", text) for text in texts)
    assert any("ـ" in text for text in texts)
    assert any("\u200f" in text for text in texts)
    assert any(re.search("[\u064b-\u0652]", text) for text in texts)
    assert any("<script>alert(1)</script>" in text for text in texts)
    assert any(not doc["figures"] and not doc["events"] for doc in gold)


def test_demo_text_is_not_copied_from_shared_data(corpus: list[dict]) -> None:
    """No run of eight words may be shared with the licensed articles."""
    source = DEV_TEXTS
    if not source.exists():
        pytest.skip("../shared/data is not available")
    size = 8

    def shingles(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", text)
        return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}

    licensed: set[tuple[str, ...]] = set()
    for article in _read_jsonl(source):
        licensed |= shingles(article["text"])
    for article in corpus:
        shared = shingles(article["text"]) & licensed
        assert not shared, (article["id"], " ".join(next(iter(shared))))
