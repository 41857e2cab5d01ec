"""The review app's pages under Streamlit's AppTest, on a real SQLite file.

AppTest runs the real script (queue, document view, fragments, callbacks)
without a browser; what only a browser can show (keyboard shortcuts, the
computed direction, escaping in the DOM) is in tests/browser/.
"""

import re
from pathlib import Path

import pytest
from review_seed import seed, variants
from sqlmodel import Session, select
from streamlit.testing.v1 import AppTest

from db.auth import set_password
from db.engine import make_engine, migrate
from db.models import Annotator, AuditEntry, Document, Value
from db.review import claim, current_records, decide
from schemas.codebook import (
    DatePrecision,
    Decision,
    EventType,
    FigureCategory,
    MatchKind,
    Qualifier,
    ScopeKind,
    Unit,
)

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "review_app" / "app.py")
SHARED_CODEBOOK = ROOT.parent / "shared" / "CODEBOOK.md"


@pytest.fixture
def engine(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'athar.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("ATHAR_AUTH_FILE", raising=False)
    engine = make_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def docs(engine) -> list[int]:
    return seed(engine, variants(3), flagged={1}).document_ids


def _app(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update(params)
    return at.run()


def _active(at: AppTest) -> int | None:
    for element in at.html:
        found = re.search(r'data-active-value="(\d+)"', element.proto.body)
        if found:
            return int(found.group(1))
    return None


def _article(at: AppTest) -> str:
    return next(h.proto.body for h in at.html if "athar-article" in h.proto.body)


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_nothing_but_the_sign_in_shows_until_the_annotator_is_known(engine, docs):
    at = _app()
    _no_errors(at)
    assert not [b for b in at.button if b.key == "open-next"]
    at.text_input(key="new-name").input("ليلى")
    at.button[0].click().run()
    _no_errors(at)
    assert at.button(key="open-next")
    assert at.query_params["annotator"] == "ليلى"
    with Session(engine) as s:
        assert s.exec(select(Annotator.name)).all() == ["ليلى"]


def test_team_mode_needs_the_right_password(engine, docs, tmp_path, monkeypatch):
    auth = tmp_path / "auth"
    set_password(auth, "omar", "sesame")
    monkeypatch.setenv("ATHAR_AUTH_FILE", str(auth))
    at = _app(annotator="omar")  # a name in the URL is not a sign-in in team mode
    assert not [b for b in at.button if b.key == "open-next"]
    at.text_input(key="sign-in-name").input("omar")
    at.text_input(key="sign-in-password").input("wrong")
    at.button[0].click().run()
    assert "do not match" in at.error[0].value
    at.text_input(key="sign-in-password").input("sesame")
    at.button[0].click().run()
    _no_errors(at)
    assert at.button(key="open-next")


def test_the_queue_lists_flagged_documents_first_and_opens_the_next_one(engine, docs):
    at = _app(annotator="amal")
    table = at.dataframe[0].value
    assert list(table["#"]) == [docs[1], docs[0], docs[2]]
    assert list(table["not found"]) == [1, 0, 0]
    at.button(key="open-next").click().run()
    _no_errors(at)
    assert (at.query_params["view"], at.query_params["doc"]) == ("doc", str(docs[1]))
    with Session(engine) as s:
        assert s.get(Document, docs[1]).claimed_by == "amal"
        first = current_records(s, docs[1])[0].values[0]
    assert _active(at) == first.id
    assert 'class="v r0 sel' in _article(at)


def test_accepting_writes_the_decision_and_moves_to_the_next_pending_value(engine, docs):
    at = _app(annotator="amal", view="doc", doc=str(docs[0]))
    shown = _active(at)
    at.button(key="accept").click().run()
    _no_errors(at)
    with Session(engine) as s:
        value = s.get(Value, shown)
        assert (value.decision, value.decided_by) == ("accepted", "amal")
        assert s.exec(select(AuditEntry.action).where(AuditEntry.value_id == shown)).all() == [
            "accepted"
        ]
        pending = [v.id for view in current_records(s, docs[0]) for v in view.values][1]
    assert _active(at) == pending
    assert at.query_params["value"] == str(pending)
    assert "1 of 14 values decided" in at.get("progress")[0].proto.text


def test_a_reload_returns_to_the_same_document_and_value(engine, docs):
    at = _app(annotator="amal", view="doc", doc=str(docs[2]))
    at.button(key="next").click().run()  # from the category to the count
    where = _active(at)
    again = _app(annotator="amal", view="doc", doc=str(docs[2]), value=str(where))
    _no_errors(again)
    assert _active(again) == where
    assert re.search(f'class="v r0 sel[^"]*" data-values="{where}"', _article(again))


def test_a_stale_write_is_refused_and_the_fresh_value_shown(engine, docs):
    at = _app(annotator="amal", view="doc", doc=str(docs[0]))
    shown = _active(at)
    with Session(engine, expire_on_commit=False) as s:
        value = s.get(Value, shown)
        decide(s, shown, "a re-extraction", Decision.REJECTED, value.version)
    at.button(key="accept").click().run()
    _no_errors(at)
    assert "since you opened it" in at.warning[0].value
    assert _active(at) == shown
    assert "rejected" in next(h.proto.body for h in at.html if "data-active-value" in h.proto.body)
    with Session(engine) as s:
        assert s.get(Value, shown).decision == "rejected"


def test_a_document_held_by_someone_else_does_not_open(engine, docs):
    with Session(engine) as s:
        assert claim(s, docs[0], "badr")
    at = _app(annotator="amal", view="doc", doc=str(docs[0]))
    _no_errors(at)
    assert "badr is reviewing" in at.warning[0].value
    assert _active(at) is None


def test_an_edit_with_typed_widgets_and_a_quote_is_saved_re_grounded(engine, docs):
    at = _app(annotator="amal", view="doc", doc=str(docs[0]))
    with Session(engine) as s:
        count = next(
            v for view in current_records(s, docs[0]) for v in view.values if v.field == "count"
        )
    at.button(key=f"pick-{count.id}").click().run()
    at.button(key="edit").click().run()
    _no_errors(at)
    key = f"e{count.id}v{count.version}"
    at.selectbox(key=f"{key}-q").select(Qualifier.EXACT.value).run()
    at.number_input(key=f"{key}-n").set_value(20).run()
    at.text_input(key=f"{key}-quote").input("أصيب 20").run()
    _no_errors(at)
    assert "found (exact" in at.caption[0].value
    assert re.search(r'<mark class="[^"]*preview">أصيب 20</mark>', _article(at))
    at.button(key="save").click().run()
    _no_errors(at)
    with Session(engine) as s:
        value = s.get(Value, count.id)
        text = s.get(Document, docs[0]).text
    assert value.decision == "edited"
    assert value.value == {
        "best": 20,
        "low": 20,
        "high": 20,
        "qualifier": "exact",
        "vague_term": None,
    }
    assert text[value.start : value.end] == "أصيب 20" and value.match == MatchKind.EXACT


def test_a_quote_not_in_the_article_cannot_be_saved(engine, docs):
    at = _app(annotator="amal", view="doc", doc=str(docs[0]))
    shown = _active(at)
    at.button(key="edit").click().run()
    at.text_input(key=f"e{shown}v0-quote").input("عبارة لا وجود لها").run()
    assert "not in the article" in at.error[0].value
    assert at.button(key="save").disabled


def test_the_codebook_is_in_the_app(engine, docs):
    at = _app(annotator="amal", view="codebook")
    _no_errors(at)
    shown = "\n".join(m.value for m in at.markdown)
    assert "## 4. Review decisions" in shown and "لقوا حتفهم" in shown


def test_the_shipped_codebook_names_every_vocabulary_of_the_schemas():
    text = (ROOT / "review_app" / "codebook.md").read_text(encoding="utf-8")
    for vocabulary in (FigureCategory, EventType, Qualifier, Unit, ScopeKind, DatePrecision):
        for member in vocabulary:
            assert f"`{member.value}`" in text, f"{vocabulary.__name__}.{member.name}"
    for decision in Decision:
        assert f"`{decision.value}`" in text
    if SHARED_CODEBOOK.exists():
        assert text == SHARED_CODEBOOK.read_text(encoding="utf-8"), "copy the new CODEBOOK.md"
