"""The LLM backend against the stub server: real openai + instructor over real HTTP.

Each test scripts what the 'model' answers and checks what athar made of it:
re-asks that name the offending quote, values stored flagged after the last
attempt, transport faults retried by the one retry layer, provenance.
"""

import asyncio
import json
import time
from datetime import datetime

from llm_stub import StubServer, answer, hang, malformed, request_article, status
from llm_support import (
    IRAQ,
    IRAQ_ANSWER,
    SYRIA,
    SYRIA_ANSWER,
    changed,
    figure,
    stub,
    stub_settings,
    village_answer,
    village_report,
)

from extractor.backend import Article, BackendResult
from extractor.llm.backend import LLMBackend
from schemas.codebook import MatchKind

__all__ = ["stub"]


def run(stub: StubServer, article: Article, **overrides) -> BackendResult:
    async def go() -> BackendResult:
        backend = LLMBackend(stub_settings(stub.url, **overrides))
        try:
            return await backend.extract(article)
        finally:
            await backend.aclose()

    return asyncio.run(go())


def assert_grounded(result: BackendResult, text: str) -> None:
    """Every cited value and evidence holds its span, found exactly or after normalisation."""
    for record in result.records:
        cites = [record.evidence, *(v.citation for v in record.values)]
        for cite in cites:
            if cite.quote is None:
                continue
            assert cite.match in (MatchKind.EXACT, MatchKind.NORMALIZED), (record.key, cite)
            assert text[cite.start : cite.end] == cite.source


def responses(result: BackendResult) -> list[dict]:
    return [a for a in result.provenance.attempts if a["kind"] == "response"]


def last_user_message(stub: StubServer) -> str:
    return stub.state.requests[-1]["messages"][-1]["content"]


def test_good_answer_is_grounded_with_provenance(stub: StubServer) -> None:
    stub.state.script.add(SYRIA, answer(SYRIA_ANSWER))
    result = run(stub, Article(SYRIA, published="2019-05-13"))
    assert result.status == "ok"
    assert [r.key for r in result.records] == ["F1", "F2", "F3", "E1"]
    assert_grounded(result, SYRIA)
    count = next(v for v in result.records[0].values if v.field == "count")
    assert SYRIA[count.citation.start : count.citation.end] == "١٢"
    (only,) = responses(result)
    assert only["stored"] is True and only["unresolved"] == []
    assert json.loads(only["raw"])["choices"][0]["message"]["content"]
    usage = only["usage"]
    assert result.provenance.prompt_tokens == usage["prompt"] > 0
    assert result.provenance.cached_tokens == usage["cached"] > 0
    assert result.provenance.cost_usd > 0
    # The request carried the article only where the template put it, with the publication date.
    sent = stub.state.requests[0]
    assert sent["temperature"] == 0
    assert sent["response_format"]["type"] == "json_schema"
    assert SYRIA in sent["messages"][-1]["content"]
    assert 'published="2019-05-13"' in sent["messages"][-1]["content"]
    assert all(SYRIA not in m["content"] for m in sent["messages"][:-1])


def test_reask_fixes_a_quote_not_in_the_article(stub: StubServer) -> None:
    wrong = changed(SYRIA_ANSWER, "F3", evidence="وأصيب خمسة جنود آخرين")
    stub.state.script.add(SYRIA, answer(wrong), answer(SYRIA_ANSWER))
    result = run(stub, Article(SYRIA))
    assert result.status == "ok"
    first, second = responses(result)
    assert "وأصيب خمسة جنود آخرين" in first["error"] and "stored" not in first
    assert second["stored"] is True
    # The re-ask told the model which quote was wrong.
    assert "F3 evidence" in last_user_message(stub)
    assert "وأصيب خمسة جنود آخرين" in last_user_message(stub)
    assert_grounded(result, SYRIA)


def test_reask_fixes_a_count_that_disagrees_with_its_quote(stub: StubServer) -> None:
    wrong = changed(SYRIA_ANSWER, "F1", best=21, low=21, high=21)
    stub.state.script.add(SYRIA, answer(wrong), answer(SYRIA_ANSWER))
    result = run(stub, Article(SYRIA))
    assert len(responses(result)) == 2
    assert "F1 count" in last_user_message(stub) and "«١٢» reads as exact" in last_user_message(
        stub
    )
    count = next(v for v in result.records[0].values if v.field == "count")
    assert count.value["best"] == 12


def test_reask_fixes_a_dangling_link(stub: StubServer) -> None:
    wrong = changed(SYRIA_ANSWER, "F2", part_of="F9")
    stub.state.script.add(SYRIA, answer(wrong), answer(SYRIA_ANSWER))
    result = run(stub, Article(SYRIA))
    assert "F2 part_of" in last_user_message(stub)
    assert result.records[1].value("part_of") == "F1"


def test_a_value_that_never_grounds_is_stored_flagged(stub: StubServer) -> None:
    wrong = changed(IRAQ_ANSWER, "E1", location_quote="محافظة الأنبار")
    stub.state.script.add(IRAQ, answer(wrong))
    result = run(stub, Article(IRAQ), reasks=2)
    assert result.status == "ok"
    assert len(stub.state.requests) == 3  # the first answer and two re-asks
    event = next(r for r in result.records if r.key == "E1")
    location = next(v for v in event.values if v.field == "location")
    assert location.citation.match == MatchKind.NONE
    assert location.citation.quote == "محافظة الأنبار"
    assert location.citation.start is None and location.citation.end is None
    assert location.value["name"] == "تلعفر"
    # Everything else in the document is stored, grounded.
    assert len(result.records) == 4
    final = responses(result)[-1]
    assert final["stored"] is True
    assert any("محافظة الأنبار" in p for p in final["unresolved"])


def test_malformed_json_is_reasked(stub: StubServer) -> None:
    stub.state.script.add(IRAQ, malformed(), answer(IRAQ_ANSWER))
    result = run(stub, Article(IRAQ))
    first, second = responses(result)
    assert "Invalid JSON" in first["error"]
    assert second["stored"] is True
    assert len(result.records) == 4


def test_an_invalid_record_is_dropped_the_rest_kept_after_the_last_attempt(
    stub: StubServer,
) -> None:
    # 'exact' with low != best breaks the count table: that one record cannot be kept.
    wrong = changed(IRAQ_ANSWER, "F2", low=1)
    stub.state.script.add(IRAQ, answer(wrong))
    result = run(stub, Article(IRAQ), reasks=1)
    assert result.status == "ok"
    assert [r.key for r in result.records] == ["F1", "E1", "E2"]
    assert any(p.startswith("F2 record: dropped") for p in responses(result)[-1]["unresolved"])


def test_a_document_with_no_readable_answer_fails_alone(stub: StubServer) -> None:
    stub.state.script.add(IRAQ, malformed("I cannot help with that."))
    result = run(stub, Article(IRAQ), reasks=1)
    assert result.status == "error"
    assert "Invalid JSON" in result.error
    assert len(responses(result)) == 2


def test_rate_limit_storm_with_retry_after_loses_nothing(stub: StubServer) -> None:
    stub.state.script.add(SYRIA, answer(SYRIA_ANSWER))
    stub.state.script.add(IRAQ, answer(IRAQ_ANSWER))
    stub.state.global_faults.extend(status(429, retry_after=0.2) for _ in range(10))

    async def go() -> list[BackendResult]:
        backend = LLMBackend(stub_settings(stub.url, transport_attempts=8))
        try:
            articles = [Article(SYRIA), Article(IRAQ)] * 3
            return await asyncio.gather(*(backend.extract(a) for a in articles))
        finally:
            await backend.aclose()

    started = time.perf_counter()
    results = asyncio.run(go())
    assert time.perf_counter() - started >= 0.2  # the storm was waited out, not ignored
    assert all(r.status == "ok" for r in results)
    assert [len(r.records) for r in results] == [4, 4] * 3
    errors = [a for r in results for a in r.provenance.attempts if a["kind"] == "error"]
    assert len(errors) == 10
    assert all(e["status"] == 429 and e["retry_after_s"] == 0.2 for e in errors)


def test_retry_after_is_honoured(stub: StubServer) -> None:
    stub.state.script.add(SYRIA, status(429, retry_after=0.6), answer(SYRIA_ANSWER))
    result = run(stub, Article(SYRIA))
    error, response = result.provenance.attempts
    assert error["kind"] == "error" and response["kind"] == "response"
    gap = datetime.fromisoformat(response["at"]) - datetime.fromisoformat(error["at"])
    assert gap.total_seconds() >= 0.6


def test_server_errors_are_retried(stub: StubServer) -> None:
    stub.state.script.add(SYRIA, status(500), status(503), answer(SYRIA_ANSWER))
    result = run(stub, Article(SYRIA))
    assert [a.get("status") for a in result.provenance.attempts] == [500, 503, None]
    assert result.status == "ok" and len(result.records) == 4


def test_a_hang_hits_the_timeout_and_is_retried(stub: StubServer) -> None:
    stub.state.script.add(SYRIA, hang(5), answer(SYRIA_ANSWER))
    started = time.perf_counter()
    result = run(stub, Article(SYRIA), timeout_s=0.5)
    assert time.perf_counter() - started < 4
    timeout, response = result.provenance.attempts
    assert "Timeout" in timeout["error"] and 0.4 < timeout["latency_s"] < 2
    assert response["stored"] is True
    assert result.status == "ok"


def test_transport_retries_are_bounded(stub: StubServer) -> None:
    stub.state.script.add(SYRIA, status(500))
    result = run(stub, Article(SYRIA), transport_attempts=3)
    assert result.status == "error"
    assert len(stub.state.requests) == 3  # one layer of retries, not instructor's on top
    assert "InternalServerError" in result.error


def test_token_budget_stops_reasks(stub: StubServer) -> None:
    wrong = changed(SYRIA_ANSWER, "F3", evidence="وأصيب خمسة جنود آخرين")
    stub.state.script.add(SYRIA, answer(wrong))
    result = run(stub, Article(SYRIA), token_budget=100, reasks=5)
    assert len(stub.state.requests) == 1
    assert result.status == "ok"
    f3 = next(r for r in result.records if r.key == "F3")
    assert f3.evidence.match == MatchKind.NONE


def test_tools_and_md_json_modes(stub: StubServer) -> None:
    stub.state.script.add(IRAQ, answer(IRAQ_ANSWER))
    for mode in ("tools", "md_json"):
        result = run(stub, Article(IRAQ), mode=mode)
        assert result.status == "ok" and len(result.records) == 4, mode
        assert_grounded(result, IRAQ)
    tools_request, md_request = stub.state.requests
    assert tools_request["tools"] and "response_format" not in md_request


def test_a_fuzzy_quote_is_kept_without_a_reask(stub: StubServer) -> None:
    # One letter off (a typo the model made): found approximately, flagged by its match kind.
    typo = changed(IRAQ_ANSWER, "F1", evidence="اعتقلت ثلاثة مطلوبين بتهمة الانتماء الى داعشش")
    stub.state.script.add(IRAQ, answer(typo))
    result = run(stub, Article(IRAQ))
    assert len(stub.state.requests) == 1
    assert result.records[0].evidence.match == MatchKind.FUZZY
    cite = result.records[0].evidence
    assert IRAQ[cite.start : cite.end] == cite.source


def test_arabic_digits_in_counts_are_read(stub: StubServer) -> None:
    extraction = {
        "figures": [
            figure(
                id="F1",
                evidence="وأصيب 5 آخرون بجروح",
                category="wounded",
                category_quote="أصيب",
                count_quote="5",
                best="٥",
                low="٥",
                high="5",
            )
        ],
        "events": [],
    }
    stub.state.script.add(SYRIA, answer(extraction))
    result = run(stub, Article(SYRIA))
    assert result.records[0].value("count")["best"] == 5


def test_a_long_article_is_read_in_windows_and_merged(stub: StubServer) -> None:
    text = village_report(12)
    probe = LLMBackend(stub_settings(stub.url, chunk_chars=500, chunk_overlap=150))
    windows = probe.windows(text)
    assert len(windows) >= 3
    for start, end in windows:
        stub.state.script.add(text[start:end], answer(village_answer(text[start:end])))
    result = run(stub, Article(text), chunk_chars=500, chunk_overlap=150)
    assert result.status == "ok"
    assert len(stub.state.requests) == len(windows)  # one request per window, no re-ask
    # Each window saw only its own text.
    for request, (start, end) in zip(stub.state.requests, windows, strict=True):
        assert request_article(request) == text[start:end]
    assert [a["window"] for a in responses(result)] == [list(w) for w in windows]
    figures = [r for r in result.records if r.kind == "figure"]
    events = {r.key: r for r in result.records if r.kind == "event"}
    assert len(figures) == len(events) == 12  # paragraphs read twice in overlaps kept once
    assert_grounded(result, text)
    for f in figures:
        event = events[f.value("event")]
        assert event.evidence.start <= f.evidence.start < event.evidence.end
