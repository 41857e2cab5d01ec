"""The OpenAI Batch API round trip against the stub: submit, poll, collect, re-ask live."""

import json

import pytest
from llm_stub import StubServer, answer, request_article, status
from llm_support import IRAQ, IRAQ_ANSWER, SYRIA, SYRIA_ANSWER, changed, stub
from sqlalchemy import Engine, func
from sqlmodel import Session, select
from test_runner import add_texts
from test_schemas import assert_openai_strict
from typer.testing import CliRunner

from db.models import Document, Extraction, ExtractionClaim, OpenAIBatch, Run, Value
from extractor.backend import Article
from extractor.cli import app
from extractor.llm.pricing import cost_usd
from extractor.llm.prompting import extraction_prompt
from schemas.codebook import MatchKind

__all__ = ["stub"]

# An article whose words look like template syntax, and an answer quoting them wrongly:
# the re-ask conversation must carry both as text, never render them.
TEMPLATED = IRAQ + "\n(المصدر: {% غير معروف %} و{{ مجهول }})"
WRONG = changed(IRAQ_ANSWER, "F1", evidence="اعتقلت 30 مطلوبا {% غير معروف %}")
FAILING = SYRIA + "\nتحديث أخير"


@pytest.fixture
def batch_env(stub: StubServer, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("OPENAI_BASE_URL", stub.url)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("ATHAR_MODEL", "gpt-4.1-mini")
    return sqlite_url


def athar(url: str, *args: str):
    result = CliRunner().invoke(app, ["--db", url, *args])
    return result


def test_batch_round_trip(stub: StubServer, batch_env: str, sqlite_engine: Engine) -> None:
    url = batch_env
    stub.state.script.add(SYRIA, answer(SYRIA_ANSWER))
    stub.state.script.add(TEMPLATED, answer(WRONG), answer(IRAQ_ANSWER))
    stub.state.script.add(FAILING, status(500))
    add_texts(sqlite_engine, [SYRIA, TEMPLATED, FAILING])

    submitted = athar(url, "extract", "--backend", "llm", "--openai-batch")
    assert submitted.exit_code == 0, submitted.output
    assert "submitted batch-" in submitted.output and "3 requests" in submitted.output
    assert stub.state.requests == []  # nothing was asked live

    # The request file: one line per article, the live prompt, a strict schema.
    (upload,) = [data for name, data in stub.state.files.values() if name.endswith(".jsonl")]
    lines = [json.loads(line) for line in upload.decode("utf-8").splitlines()]
    assert len(lines) == 3
    with Session(sqlite_engine) as session:
        documents = {d.id: d for d in session.exec(select(Document))}
    for line in lines:
        document = documents[int(line["custom_id"].split(":")[0])]
        body = line["body"]
        assert line["url"] == "/v1/chat/completions" and body["temperature"] == 0
        fmt = body["response_format"]["json_schema"]
        assert fmt["strict"] is True
        assert_openai_strict(fmt["schema"])
        expected = extraction_prompt().render(source=document.text, published="unknown")
        assert body["messages"] == expected
    assert "{% غير معروف %}" in upload.decode("utf-8")

    # While the job runs, its documents are held: a live run leaves them alone, and ends.
    with Session(sqlite_engine) as session:
        holders = set(session.exec(select(ExtractionClaim.worker)).all())
    assert len(holders) == 1 and holders.pop().startswith("openai-batch:batch-")
    live = athar(url, "extract", "--backend", "llm")
    assert live.exit_code == 0, live.output
    assert stub.state.requests == []

    polled = athar(url, "batch", "status")
    assert polled.exit_code == 0 and "in_progress" in polled.output

    collected = athar(url, "batch", "collect")
    assert collected.exit_code == 1, collected.output  # one document failed in the batch
    assert "2 documents stored, 1 re-asked live, 1 failed" in collected.output

    with Session(sqlite_engine) as session:
        by_doc = {
            documents[e.document_id].text: e
            for e in session.exec(select(Extraction).where(Extraction.run_id == 1))
        }
        plain = by_doc[SYRIA]
        assert plain.status == "ok" and len(plain.attempts) == 1
        (only,) = plain.attempts
        assert only["batch"] is True and only["stored"] is True
        usage = only["usage"]
        assert only["cost_usd"] == pytest.approx(
            cost_usd("gpt-4.1-mini", usage["prompt"], usage["completion"], usage["cached"], True)
        )
        reasked = by_doc[TEMPLATED]
        first, second = reasked.attempts
        assert first["batch"] is True and "{% غير معروف %}" in first["error"]
        assert "batch" not in second and second["stored"] is True
        failed = by_doc[FAILING]
        assert failed.status == "error" and "batch request failed" in failed.error
        assert session.exec(select(func.count()).select_from(ExtractionClaim)).one() == 0
        job = session.exec(select(OpenAIBatch)).one()
        assert job.status == "collected" and job.collected_at is not None
        assert session.get(Run, 1).status == "failed"

    # The live re-ask continued the batch conversation: the answer, then what was wrong.
    assert len(stub.state.requests) == 4  # three answered in the batch, one live
    reask = stub.state.requests[-1]
    turns = reask["messages"][-2:]
    assert turns[0]["role"] == "assistant" and "{% غير معروف %}" in turns[0]["content"]
    assert turns[1]["role"] == "user" and "F1 evidence" in turns[1]["content"]
    assert "{{ مجهول }}" in reask["messages"][-3]["content"]  # the article, unrendered

    # The failed document is extracted by the next ordinary run, and only it.
    stub.state.script.add(FAILING, answer(SYRIA_ANSWER))
    rerun = athar(url, "extract", "--backend", "llm")
    assert rerun.exit_code == 0, rerun.output
    assert len(stub.state.requests) == 5
    assert request_article(stub.state.requests[-1]) == FAILING
    assert athar(url, "batch", "collect").output.startswith("no finished job")


def test_a_batch_answer_that_never_validates_is_stored_flagged(
    stub: StubServer, batch_env: str, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ATHAR_REASKS", "1")
    wrong = changed(IRAQ_ANSWER, "E1", location_quote="محافظة الأنبار")
    stub.state.script.add(IRAQ, answer(wrong))
    add_texts(sqlite_engine, [IRAQ])
    assert athar(batch_env, "extract", "--backend", "llm", "--openai-batch").exit_code == 0
    athar(batch_env, "batch", "status")
    collected = athar(batch_env, "batch", "collect")
    assert collected.exit_code == 0, collected.output
    with Session(sqlite_engine) as session:
        extraction = session.exec(select(Extraction)).one()
        assert extraction.status == "ok"
        batch_answer, live_answer = extraction.attempts
        assert batch_answer["batch"] is True and "محافظة الأنبار" in batch_answer["error"]
        assert live_answer["stored"] is True and live_answer["unresolved"]
    with Session(sqlite_engine) as session:
        location = session.exec(select(Value).where(Value.field == "location")).first()
        assert location.match == MatchKind.NONE and location.quote == "محافظة الأنبار"


def test_submitting_needs_the_llm_backend(batch_env: str, monkeypatch) -> None:
    class Rules:
        name, model, prompt_version, endpoint_host, params = "rules", "r", "v", None, {}

        async def extract(self, article: Article):
            raise AssertionError

    import extractor.rules

    monkeypatch.setattr(extractor.rules, "RulesBackend", Rules, raising=False)
    result = athar(batch_env, "extract", "--backend", "rules", "--openai-batch")
    assert result.exit_code == 2 and "needs the llm backend" in result.output
