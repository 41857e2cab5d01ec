"""Grounding on real articles: the gold quotes, perturbed gold quotes, random substrings.

Reads ../shared/data/dev at run time (the articles are not part of the project).
"""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shared_data import SHARED_DATA as DATA

from extractor.grounding import Grounding, ground
from extractor.normalize import normalize_quote
from extractor.perturb import PERTURBATIONS, GoldQuote, load_gold_quotes, located
from schemas.codebook import MatchKind


@pytest.fixture(scope="module")
def gold_quotes() -> list[GoldQuote]:
    if not (DATA / "dev" / "gold.jsonl").exists():
        pytest.skip(f"gold data not found at {DATA}/dev (../shared/data beside the project)")
    return load_gold_quotes(DATA)


def assert_invariant(text: str, g: Grounding) -> None:
    if g.match is MatchKind.NONE:
        assert (g.quote, g.start, g.end, g.score) == (None, None, None, 0.0)
        return
    assert g.start is not None and g.end is not None
    assert 0 <= g.start < g.end <= len(text)
    assert text[g.start : g.end] == g.quote
    assert 0.0 < g.score <= 1.0


def test_every_gold_quote_grounds_exactly_at_its_span(gold_quotes: list[GoldQuote]) -> None:
    assert len(gold_quotes) > 100
    wrong = []
    for gold in gold_quotes:
        g = ground(gold.text, gold.quote, within=gold.within)
        assert_invariant(gold.text, g)
        if g.match is not MatchKind.EXACT or (g.start, g.end) not in gold.occurrences:
            wrong.append((gold.doc_id, gold.field, gold.span, g))
    assert not wrong


@pytest.mark.parametrize("name", [n for n in PERTURBATIONS if n != "verbatim"])
def test_perturbed_gold_quotes_ground_normalized_at_the_true_span(
    gold_quotes: list[GoldQuote], name: str
) -> None:
    """Located means covering 90% of the gold span (or an identical occurrence).
    A perturbed quote that is itself verbatim inside the gold span (the gold
    quote minus its first letter) is also grounded right when found exactly there."""
    perturb = PERTURBATIONS[name]
    cases = [(gold, perturb(gold.quote)) for gold in gold_quotes]
    cases = [(gold, quote) for gold, quote in cases if quote != gold.quote]
    assert cases, f"{name} changed no gold quote"
    wrong = []
    for gold, quote in cases:
        g = ground(gold.text, quote, within=gold.within)
        assert_invariant(gold.text, g)
        span = None if g.start is None else (g.start, g.end)
        verbatim_inside = g.match is MatchKind.EXACT and any(
            lo <= g.start and g.end <= hi for lo, hi in gold.occurrences
        )
        if g.match not in (MatchKind.EXACT, MatchKind.NORMALIZED) or not (
            located(span, gold) or verbatim_inside
        ):
            wrong.append((gold.doc_id, gold.field, gold.quote, quote, g))
    assert not wrong


@pytest.fixture(scope="module")
def articles(dev_texts: list[dict]) -> list[str]:
    return [doc["text"] for doc in dev_texts]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_substrings_of_real_articles_ground_exactly(articles: list[str], data) -> None:
    text = data.draw(st.sampled_from(articles))
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, min(len(text), start + 120)))
    quote = text[start:end].strip()
    if not quote:
        return
    g = ground(text, quote)
    assert_invariant(text, g)
    first = text.find(quote)
    assert g.end == first + len(quote)
    if g.match is MatchKind.EXACT:
        assert (g.start, g.quote) == (first, quote)
    else:
        # the one exception: a quote that starts right after an in-word
        # article gets the article back
        assert g.match is MatchKind.NORMALIZED
        assert normalize_quote(text[g.start : first]) == "ال"


_NOISE = st.text(
    alphabet=st.sampled_from(list("وبالقتلىةهأإآ٠١٢3 \u064e\u0651\u0640\u200f\u2066\u00a0ﻻ,«")),
    max_size=6,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_perturbed_quote_keeps_the_invariant(articles: list[str], data) -> None:
    text = data.draw(st.sampled_from(articles))
    start = data.draw(st.integers(0, len(text) - 1))
    quote = text[start : start + data.draw(st.integers(1, 80))]
    for name in data.draw(st.lists(st.sampled_from(list(PERTURBATIONS)), max_size=3)):
        quote = PERTURBATIONS[name](quote)
    cut = data.draw(st.integers(0, len(quote)))
    quote = quote[:cut] + data.draw(_NOISE) + quote[cut:]
    within_start = data.draw(st.integers(0, len(text)))
    within = data.draw(st.none() | st.just((within_start, len(text))))
    near = data.draw(st.none() | st.integers(0, len(text)))
    g = ground(text, quote, within=within, near=near)
    assert_invariant(text, g)
    if g.match is MatchKind.EXACT:
        assert g.quote == quote.strip()
