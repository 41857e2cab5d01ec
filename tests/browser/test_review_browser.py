"""The review app driven in Chromium against a real `athar review` server.

One server in team mode (passwords) serves the whole module; each test
works on its own documents and checks the database the server wrote.
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from review_seed import SCRIPT_ARTICLE, seed, variants
from review_server import start_server
from sqlalchemy import Engine
from sqlmodel import Session, select

from db.auth import set_password
from db.engine import make_engine, migrate
from db.models import AuditEntry, Document, Record, Value
from db.review import current_records, decide
from schemas.codebook import Decision

pytestmark = pytest.mark.browser

PASSWORDS = {"amal": "sesame-amal", "badr": "sesame-badr"}
IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


@dataclass
class App:
    url: str
    engine: Engine
    documents: list[int]


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[App]:
    base = tmp_path_factory.mktemp("review-browser")
    database = base / "athar.db"
    engine = make_engine(f"sqlite:///{database}")
    migrate(engine)
    documents = seed(engine, [*variants(6), SCRIPT_ARTICLE]).document_ids
    auth = base / "team-passwords"
    for name, password in PASSWORDS.items():
        set_password(auth, name, password)
    server = start_server(str(database), base / "server.log", {"ATHAR_AUTH_FILE": str(auth)})
    try:
        yield App(server.url, engine, documents)
    finally:
        server.stop()
        engine.dispose()


# --- driving the page -------------------------------------------------------------


# Counts finished script runs and notes when the run state last changed. A
# step waits for what it should show (`until`) or, when nothing visible
# changes, for a run to finish; either way the page counts as settled once the
# app has been "not running" for QUIET ms, so a run asked for by the one before
# (st.rerun) is over too. Two quick state changes can reach the page in one
# task and leave no trace, so a step that saw no run at all settles after
# NO_RUN ms of quiet.
RUN_WATCH = """
window.__runs = 0;
window.__changed = performance.now();
document.addEventListener('DOMContentLoaded', () => new MutationObserver((changes) => {
  for (const change of changes) {
    window.__changed = performance.now();
    if (change.target.getAttribute('data-test-script-state') === 'notRunning') window.__runs++;
  }
}).observe(document.documentElement,
           {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']}));
"""
QUIET, NO_RUN = 150, 1500
SETTLED = f"""([runs, since]) => {{
  const quiet = performance.now() - Math.max(window.__changed, since);
  return document.querySelector('{IDLE}') !== null
    && performance.now() - window.__changed > {QUIET}
    && (window.__runs > runs || quiet > {NO_RUN});
}}"""


def new_page(browser, **options):
    context = browser.new_context(**options)
    context.add_init_script(RUN_WATCH)
    return context.new_page()


def after_run(page, action, until: str | None = None) -> None:
    """Do `action`, wait for the `until` selector if given, then for the page to settle."""
    runs, since = page.evaluate("[window.__runs, performance.now()]")
    action()
    if until is not None:
        page.wait_for_selector(until)
        runs = -1
    page.wait_for_function(SETTLED, arg=[runs, since], polling=50)


def sign_in(page, app: App, name: str, path: str | None = "/") -> None:
    """Sign in with a password; `path` None signs in on the page already open."""
    if path is not None:
        page.goto(app.url + path)
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Password", exact=True).fill(PASSWORDS[name])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {name}").wait_for()
    page.wait_for_selector(IDLE)


def active(page) -> int:
    return int(page.locator("[data-active-value]").get_attribute("data-active-value"))


def shortcut(page, key: str, until: str | None = None) -> None:
    """A shortcut key, pressed with the focus on the page (shortcuts skip text inputs)."""
    page.locator(".st-key-accept button").wait_for()
    page.evaluate("document.activeElement?.blur()")
    after_run(page, lambda: page.keyboard.press(key), until)


def shown(value_id: int, version: int | None = None) -> str:
    """Selector of the active-value panel showing this value (at this version)."""
    at_version = f'[data-version="{version}"]' if version is not None else ""
    return f'[data-active-value="{value_id}"]{at_version}'


def press(page, key: str, then_active: int, version: int | None = None) -> None:
    shortcut(page, key, until=shown(then_active, version))


def open_next(page) -> int:
    after_run(
        page, page.get_by_role("button", name="Open next document").click, "[data-active-value]"
    )
    return int(page.evaluate("new URLSearchParams(location.search).get('doc')"))


def values_in_order(app: App, document_id: int) -> list[Value]:
    with Session(app.engine) as s:
        return [v for view in current_records(s, document_id) for v in view.values]


def choose(page, label: str, option: str) -> None:
    """Pick an option in a Streamlit select box from the keyboard: type it, press Enter.

    The list is opened again if a redraw closed it before the option showed."""
    box = page.get_by_role("combobox", name=label)
    item = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):
        box.click()
        box.fill(option)
        try:
            item.wait_for(timeout=5000)
            break
        except PlaywrightTimeout:
            box.press("Escape")
    after_run(page, lambda: box.press("Enter"))
    assert box.input_value() == option


def type_in(page, label: str, text: str) -> None:
    """Type into a text or number input and commit it (Enter), as an annotator does."""
    field = page.get_by_label(label, exact=True)
    field.fill(text)
    after_run(page, lambda: field.press("Enter"))


# --- the tests --------------------------------------------------------------------


def test_an_annotator_reviews_a_whole_document_from_the_keyboard(app, browser, artifacts):
    page = new_page(browser, viewport={"width": 1500, "height": 1000})
    sign_in(page, app, "amal")
    document_id = open_next(page)
    values = values_in_order(app, document_id)
    ids = [v.id for v in values]
    category, count, unit = values[0], values[1], values[2]
    assert active(page) == category.id

    press(page, "a", count.id)  # accept the category with the keyboard

    shortcut(page, "e", until=".st-key-save")  # edit the count and its quote
    choose(page, "qualifier", "exact")
    type_in(page, "N", "20")
    type_in(page, "supporting quote (as in the article)", "وأصيب 20")
    assert page.get_by_text("found (exact").is_visible()
    after_run(page, page.get_by_role("button", name="Save").click, shown(unit.id))

    page.reload()  # the URL keeps the place; team mode asks for the password again
    sign_in(page, app, "amal", path=None)
    page.wait_for_selector(shown(unit.id))

    press(page, "x", values[3].id)  # reject the unit

    page.get_by_text("Add a figure or event the model missed").click()
    page.get_by_label("1. quote the words that state it", exact=True).wait_for()
    type_in(page, "1. quote the words that state it", "واعتقلت قوات الأمن نحو 30 شخصاً")
    choose(page, "2. category", "arrested")
    type_in(page, "category cue (e.g. قتل)", "اعتقلت")
    type_in(page, "number phrase (e.g. ما لا يقل عن 7)", "نحو 30")
    choose(page, "qualifier", "approx")
    type_in(page, "N", "30")
    after_run(
        page,
        page.get_by_role("button", name="Add record").click,
        '[data-active-value]:has-text("HF1")',
    )
    page.locator(".doc-title").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "review-document.png")

    direction = page.eval_on_selector(".athar-article", "e => getComputedStyle(e).direction")
    assert direction == "rtl"

    # The new record is shown after adding it; go back to the first value still pending.
    after_run(page, page.locator(f".st-key-pick-{values[3].id} button").click, shown(values[3].id))
    for following in ids[4:]:
        press(page, "a", following)
    press(page, "a", ids[-1], version=1)  # the last one stays shown, now decided
    page.get_by_text(f"{len(ids) + 8} of {len(ids) + 8} values decided").wait_for()
    shortcut(page, "d")
    page.wait_for_function(f"new URLSearchParams(location.search).get('doc') !== '{document_id}'")
    page.context.close()

    with Session(app.engine) as s:
        document = s.get(Document, document_id)
        assert (document.state, document.done_by) == ("done", "amal")
        stored = {v.id: v for v in s.exec(select(Value).where(Value.document_id == document_id))}
        model_values = {i: stored[i] for i in ids}
        assert model_values[category.id].decision == "accepted"
        edited = model_values[count.id]
        assert edited.decision == "edited" and edited.value["best"] == 20
        assert edited.value["qualifier"] == "exact"
        assert document.text[edited.start : edited.end] == "وأصيب 20"
        assert model_values[unit.id].decision == "rejected"
        assert {model_values[i].decision for i in ids[3:]} == {"accepted"}
        assert {v.decided_by for v in model_values.values()} == {"amal"}
        human = s.exec(
            select(Record).where(Record.document_id == document_id, Record.origin == "human")
        ).one()
        added = {v.field: v for v in stored.values() if v.record_id == human.id}
        assert added["category"].value == "arrested"
        assert added["count"].value["best"] == 30 and added["count"].value["qualifier"] == "approx"
        assert document.text[added["count"].start : added["count"].end] == "نحو 30"
        actions = [
            (e.action, e.value_id)
            for e in s.exec(
                select(AuditEntry)
                .where(AuditEntry.document_id == document_id)
                .order_by(AuditEntry.id)
            )
        ]
        assert actions == [
            ("accepted", category.id),
            ("edited", count.id),
            ("rejected", unit.id),
            ("added", None),
            *[("accepted", i) for i in ids[3:]],
            ("done", None),
        ]
        assert {e.annotator for e in s.exec(select(AuditEntry))} == {"amal"}


def test_two_annotators_never_get_the_same_document(app, browser):
    pages = {}
    for name in PASSWORDS:
        pages[name] = new_page(browser)
        sign_in(pages[name], app, name)
    buttons = [page.get_by_role("button", name="Open next document") for page in pages.values()]
    for button in buttons:
        button.wait_for()
    for button in buttons:  # both requests are sent before either page has its answer
        button.click(no_wait_after=True)
    opened = {}
    for name, page in pages.items():
        page.wait_for_selector("[data-active-value]")
        opened[name] = int(page.evaluate("new URLSearchParams(location.search).get('doc')"))
        page.context.close()
    assert opened["amal"] != opened["badr"]
    with Session(app.engine) as s:
        for name, document_id in opened.items():
            assert s.get(Document, document_id).claimed_by == name


def test_a_stale_write_is_refused_in_the_page(app, browser):
    document_id = app.documents[5]
    page = new_page(browser)
    sign_in(page, app, "badr", f"/?view=doc&doc={document_id}")
    shown = active(page)
    with Session(app.engine, expire_on_commit=False) as s:
        value = s.get(Value, shown)
        decide(s, shown, "a re-extraction", Decision.REJECTED, value.version)
    shortcut(page, "a", until="text=since you opened it")
    panel = page.locator("[data-active-value]")
    assert panel.get_attribute("data-active-value") == str(shown)
    assert "rejected" in panel.inner_text()
    page.context.close()
    with Session(app.engine) as s:
        value = s.get(Value, shown)
        assert (value.decision, value.decided_by) == ("rejected", "a re-extraction")
        assert s.exec(select(AuditEntry.annotator).where(AuditEntry.value_id == shown)).all() == [
            "a re-extraction"
        ]


def test_markup_in_an_article_shows_as_text(app, browser):
    document_id = app.documents[-1]
    page = new_page(browser)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, app, "amal", f"/?view=doc&doc={document_id}")
    article = page.locator(".athar-article")
    assert "<script>alert(1)</script>" in article.inner_text()
    assert "<b>نصاً عريضاً</b>" in article.inner_text()
    assert article.locator("script, b").count() == 0
    assert page.eval_on_selector(".athar-article", "e => getComputedStyle(e).direction") == "rtl"
    assert dialogs == []
    page.context.close()
