"""The adjudication view and the stats page under Streamlit's AppTest, on a real SQLite file."""

import json
from pathlib import Path

import pytest
from sqlmodel import Session
from streamlit.testing.v1 import AppTest
from test_agreement import ALI, HUDA, review_pass, store

from db.engine import make_engine, migrate, session_scope
from db.overlap import adopt_agreed, set_reviewer
from db.review import claim, mark_done
from extractor.cli_export import export_to

APP = str(Path(__file__).resolve().parents[1] / "review_app" / "app.py")


@pytest.fixture
def engine(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'athar.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ATHAR_OVERLAP", "1")
    monkeypatch.delenv("ATHAR_AUTH_FILE", raising=False)
    engine = make_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()


def _app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update(params)
    return at.run()


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _twice_reviewed(engine) -> int:
    document_id = store(engine)
    with Session(engine) as session:
        for name, changes in (("ali", ALI), ("huda", HUDA)):
            assert claim(session, document_id, name)
            review_pass(session, document_id, name, changes)
            mark_done(session, document_id, name)
        set_reviewer(session, "rana")
    return document_id


def test_only_reviewers_adjudicate(engine):
    _twice_reviewed(engine)
    at = _app(annotator="ali", view="adjudicate")
    _ok(at)
    assert any("reviewer" in w.value for w in at.warning)
    at = _app(annotator="rana", view="adjudicate")
    _ok(at)
    assert [b.key for b in at.button if b.key and b.key.startswith("adj-open-")]


def test_a_reviewer_settles_a_document_in_the_app(engine, tmp_path):
    document_id = _twice_reviewed(engine)
    at = _app(annotator="rana", view="adjudicate", doc=str(document_id))
    _ok(at)
    # disputed values only: F3 category, F3 count, E1 trigger, and F4 (huda rejected it)
    takes = [b for b in at.button if b.key and "-take" in b.key]
    assert takes
    assert at.button(key="adj-agreed").label == "take the 33 agreed values"
    at.button(key="adj-agreed").click().run()
    _ok(at)
    # take huda's version of everything still open, then close the document
    while True:
        open_takes = [b for b in at.button if b.key and b.key.endswith("-take1")]
        if not open_takes:
            break
        open_takes[0].click().run()
        _ok(at)
    assert not at.button(key="adj-done").disabled
    at.button(key="adj-done").click().run()
    _ok(at)
    out = tmp_path / "export.jsonl"
    with session_scope(engine) as session:
        assert export_to(session, out, "jsonl") == 1
    line = json.loads(out.read_text(encoding="utf-8"))
    values = {(r["key"], v["field"]): v for r in line["records"] for v in r["values"]}
    assert values[("F3", "count")]["final"]["value"]["best"] == 6  # huda's
    assert values[("F3", "count")]["decided_by"] == "rana"
    assert {r["key"]: r["rejected"] for r in line["records"]}["F4"]


def test_stats_page_draws_its_charts(engine):
    document_id = _twice_reviewed(engine)
    with Session(engine) as session:
        assert adopt_agreed(session, document_id, "rana") == 33
    at = _app(annotator="ali", view="stats")
    _ok(at)
    headers = [h.value for h in at.subheader]
    assert headers == [
        "Progress per annotator and day",
        "The model's values as reviewers judged them",
        "Agreement between annotators",
    ]
    assert not at.info  # every section had data to show
    charts = at.get("vega_lite_chart")
    assert len(charts) == 6


def _decided(at: AppTest) -> str:
    (bar,) = at.get("progress")
    return bar.proto.text


def test_each_annotator_sees_only_their_own_pass(engine):
    document_id = store(engine)
    with Session(engine) as session:
        assert claim(session, document_id, "ali")
        review_pass(session, document_id, "ali", ALI)
    at = _app(annotator="ali", view="doc", doc=str(document_id))
    _ok(at)
    assert _decided(at) == "44 of 44 values decided"
    at = _app(annotator="huda", view="doc", doc=str(document_id))
    _ok(at)
    assert _decided(at) == "0 of 44 values decided"
    at = _app(annotator="sami", view="doc", doc=str(document_id))
    _ok(at)
    assert not at.get("progress")  # a third annotator is turned away
