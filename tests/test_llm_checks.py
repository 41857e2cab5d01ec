"""Pieces of the LLM backend that need no server: the answer check, long-article windows,
Retry-After parsing and the price table."""

import itertools
import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import httpx2
import openai
import pytest
from llm_support import (
    IRAQ,
    IRAQ_ANSWER,
    SYRIA,
    SYRIA_ANSWER,
    changed,
    figure,
    village_answer,
    village_report,
)

from extractor.llm import pricing
from extractor.llm.chunking import chunk_spans, merge_reports
from extractor.llm.prompting import extraction_prompt
from extractor.llm.transport import is_transient, retry_after_s
from extractor.llm.validation import check_extraction, salvage
from schemas.codebook import MatchKind
from schemas.extraction import ArticleExtraction

ARTICLE_TAG = re.compile(r"<article[^>]*>\n(.*)\n</article>", re.DOTALL)


def parse(answer: dict) -> ArticleExtraction:
    return ArticleExtraction.model_validate(answer)


def test_prompt_examples_pass_the_check_they_teach() -> None:
    """The few-shot answers are what a perfect answer looks like: every quote verbatim,
    every count as the count table reads its quote, every link resolved."""
    messages = extraction_prompt().messages
    pairs = [
        (messages[i][1], messages[i + 1][1])
        for i in range(len(messages) - 1)
        if messages[i][0] == "user" and messages[i + 1][0] == "assistant"
    ]
    assert len(pairs) == 2
    for question, reply in pairs:
        text = ARTICLE_TAG.search(question).group(1)
        report = check_extraction(parse(json.loads(reply)), text)
        assert report.problems == []
        for record in report.records:
            for cite in [record.evidence, *(v.citation for v in record.values)]:
                if cite.quote is not None:
                    assert cite.match == MatchKind.EXACT, (record.key, cite.quote)


def test_check_names_each_problem_for_the_reask() -> None:
    wrong = changed(SYRIA_ANSWER, "F1", count_quote="١٢", best=13, low=13, high=13)
    wrong = changed(wrong, "F2", part_of="F7", group_quote="ثلاثة ضباط")
    wrong = changed(wrong, "F3", event="E4")
    report = check_extraction(parse(wrong), SYRIA)
    found = {(p.record, p.field) for p in report.problems}
    assert found == {("F1", "count"), ("F2", "part_of"), ("F2", "group"), ("F3", "event")}
    message = report.reask_message()
    assert "«ثلاثة ضباط» is not in the article" in message
    assert "«F7» is not another figure's id" in message


def test_check_requires_a_quote_for_a_number_and_unique_ids() -> None:
    bare = figure(
        id="F1",
        evidence="وأصيب 5 آخرون بجروح",
        category="wounded",
        category_quote="أصيب",
        count_quote=None,
        best=5,
    )
    twin = dict(bare, count_quote="5")
    report = check_extraction(parse({"figures": [bare, twin], "events": []}), SYRIA)
    fields = [(p.record, p.field) for p in report.problems]
    assert ("F1", "count") in fields and ("F1", "id") in fields


def test_quotes_prefer_their_record_evidence() -> None:
    text = "قتل 3 مدنيين في الرقة. وفي دير الزور قتل 3 مدنيين أيضاً."
    second = figure(
        id="F1",
        evidence="وفي دير الزور قتل 3 مدنيين",
        category="killed",
        category_quote="قتل",
        count_quote="3",
        best=3,
    )
    report = check_extraction(parse({"figures": [second], "events": []}), text)
    count = report.records[0].values[1].citation
    assert count.start == text.index("3", text.index("دير"))


def test_salvage_keeps_good_records_and_reads_fenced_json() -> None:
    broken = changed(IRAQ_ANSWER, "F1", qualifier="range")
    raw = "Here you go:\n```json\n" + json.dumps(broken, ensure_ascii=False) + "\n```"
    extraction, problems = salvage(raw)
    assert [f.id for f in extraction.figures] == ["F2"]
    assert len(extraction.events) == 2
    assert problems[0].record == "F1" and problems[0].field == "record"
    assert salvage("no json here")[0] is None


def test_windows_cover_the_article_on_boundaries_with_overlap() -> None:
    text = village_report(30)
    spans = chunk_spans(text, size=400, overlap=120)
    assert len(spans) > 3
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    for (a_start, a_end), (b_start, _) in itertools.pairwise(spans):
        assert a_end - a_start <= 400
        assert b_start < a_end  # overlap: nothing falls between two windows
        assert text[a_end - 1] == "\n"  # cut after a paragraph
        assert b_start == 0 or text[b_start - 1] == "\n"  # restart at a paragraph start
    assert chunk_spans("قصير", size=400, overlap=120) == [(0, 4)]


def test_merge_renumbers_relinks_and_drops_overlap_twins() -> None:
    text = village_report(12)
    spans = chunk_spans(text, size=500, overlap=150)
    assert len(spans) >= 2

    reports = [check_extraction(parse(village_answer(text[w[0] : w[1]])), text, w) for w in spans]
    assert sum(len(r.records) for r in reports) > 24  # the overlaps were read twice
    merged = merge_reports(reports)
    figures = [r for r in merged.records if r.kind == "figure"]
    events = [r for r in merged.records if r.kind == "event"]
    assert len(figures) == len(events) == 12
    assert [f.key for f in figures] == [f"F{i}" for i in range(1, 13)]
    by_key = {e.key: e for e in events}
    for f in figures:
        linked = by_key[f.value("event")]
        # Each figure still points at its own event, in the whole article's offsets.
        assert linked.evidence.start <= f.evidence.start < linked.evidence.end
        count = f.values[1].citation
        assert text[count.start : count.end] == str(f.value("count")["best"])


@pytest.mark.parametrize(
    "headers, expected",
    [
        ({"retry-after": "2"}, 2.0),
        ({"retry-after-ms": "350"}, 0.35),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after_is_read_from_headers(headers: dict, expected: float | None) -> None:
    error = _rate_limit(headers)
    assert retry_after_s(error) == expected
    assert is_transient(error)


def test_retry_after_as_a_date() -> None:
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    assert 25 < retry_after_s(_rate_limit({"retry-after": later})) <= 30


def _rate_limit(headers: dict) -> openai.RateLimitError:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx2.Response(429, headers=headers, request=request)
    return openai.RateLimitError("slow down", response=response, body=None)


def test_client_errors_are_not_retried() -> None:
    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
    response = httpx2.Response(401, request=request)
    assert not is_transient(openai.AuthenticationError("bad key", response=response, body=None))


def test_cost_from_the_price_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # 1M uncached + 1M cached prompt tokens and 1M completion tokens on gpt-4.1-mini.
    assert pricing.cost_usd("gpt-4.1-mini", 2_000_000, 1_000_000, 1_000_000) == pytest.approx(
        0.40 + 0.10 + 1.60
    )
    assert pricing.cost_usd("gpt-4.1-mini-2025-04-14", 1_000_000, 0) == pytest.approx(0.40)
    assert pricing.cost_usd("gpt-4.1-mini", 1_000_000, 0, batch=True) == pytest.approx(0.20)
    assert pricing.cost_usd("qwen2.5-7b-local", 1_000_000, 1_000_000) == 0.0
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"qwen2.5-7b-local": {"input": 0.05, "output": 0.1}}))
    monkeypatch.setenv("ATHAR_PRICES", str(prices))
    pricing.price_table.cache_clear()
    try:
        assert pricing.cost_usd("qwen2.5-7b-local", 1_000_000, 1_000_000) == pytest.approx(0.15)
    finally:
        pricing.price_table.cache_clear()


def test_iraq_answer_is_clean() -> None:
    """The test fixtures themselves are right, so a failing test means a broken feature."""
    for text, answer in ((SYRIA, SYRIA_ANSWER), (IRAQ, IRAQ_ANSWER)):
        assert check_extraction(parse(answer), text).problems == []
