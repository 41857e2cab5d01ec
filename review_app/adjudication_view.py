"""Adjudication: a reviewer settles the documents two annotators reviewed apart.

Each value shows the model's proposal and both annotators' versions side by
side; the reviewer takes one version, or gives their own. Every step goes
through `db.overlap.adjudicate`, which decides through `db.review.decide`, so
the value's final state (the one exported), the audit row and the stale-write
check are those of any decision. Values both annotators agree on can be
settled in one step.
"""

import html

import streamlit as st

from db.models import Document, Judgement
from db.overlap import (
    Versions,
    adjudicate,
    adopt_agreed,
    awaiting_adjudication,
    is_reviewer,
    versions,
)
from db.review import ReviewError, StaleWrite, mark_done
from review_app import state
from review_app.actions import reground
from review_app.article import Span, article_html
from review_app.data import db
from review_app.fields import format_value
from review_app.text import md_escape
from review_app.widgets import value_editor
from schemas.codebook import Decision, RecordKind

_ICON = {"accepted": "✓", "edited": "✎", "rejected": "✗", None: "·"}


def _version_html(field: str, j: Judgement | None) -> str:
    if j is None:
        return "<em>no judgement</em>"
    if j.decision == Decision.REJECTED:
        return f"{_ICON[j.decision]} rejected"
    return f"{_ICON[j.decision]} {html.escape(format_value(field, j.value))}{_quote(j.source)}"


def _quote(words: str | None) -> str:
    return f'<div class="athar-quote" dir="rtl">«{html.escape(words)}»</div>' if words else ""


def _run(step, done: str) -> None:
    try:
        with db() as session:
            step(session)
        state.flash(done, "toast")
    except StaleWrite as stale:
        state.flash(str(stale), "warning")
    except (ReviewError, ValueError) as refused:
        state.flash(str(refused), "error")


def _take(reviewer: str, item: Versions, slot: int) -> None:
    pick = item.judgements[slot]
    _run(
        lambda s: adjudicate(s, item.value.id, reviewer, item.value.version, pick),
        f"{item.record.key} {item.value.field}: took {item.annotators[slot]}'s version",
    )


def _own(reviewer: str, document: Document, item: Versions, key: str) -> None:
    typed = (st.session_state.get(f"{key}-quote") or "").strip()
    new_value = st.session_state.get(f"{key}-value")

    def step(session) -> None:
        citation = reground(document.text, typed) if typed else None
        adjudicate(
            session,
            item.value.id,
            reviewer,
            item.value.version,
            decision=Decision.EDITED,
            new_value=new_value,
            citation=citation,
        )

    _run(step, f"{item.record.key} {item.value.field}: your version saved")


def _value_row(reviewer: str, document: Document, items: list[Versions], item: Versions) -> None:
    field = item.value.field
    columns = st.columns([2, 3, 3, 3, 2])
    columns[0].markdown(f"**{md_escape(item.record.key)}** {md_escape(field)}")
    model = format_value(field, item.value.model_value)
    columns[1].html(f"<small>model</small><br>{html.escape(model)}{_quote(item.value.model_quote)}")
    for slot in (0, 1):
        column = columns[2 + slot]
        column.html(
            f"<small>{html.escape(item.annotators[slot])}</small><br>"
            + _version_html(field, item.judgements[slot])
        )
    settled = item.value.decision is not None
    if settled:
        final = "rejected" if item.value.decision == Decision.REJECTED else item.value.value
        columns[4].html(f"<small>final</small><br>{html.escape(format_value(field, final))}")
        return
    key = f"adj-{item.value.id}-{item.value.version}"
    for slot in (0, 1):
        if item.judgements[slot] is not None:
            columns[4].button(
                f"take {item.annotators[slot]}",
                key=f"{key}-take{slot}",
                on_click=_take,
                args=(reviewer, item, slot),
            )
    with columns[4].popover("own version"):
        figure_keys = [i.record.key for i in items if i.record.kind == RecordKind.FIGURE]
        event_keys = [i.record.key for i in items if i.record.kind == RecordKind.EVENT]
        st.session_state[f"{key}-value"] = value_editor(
            field, item.value.model_value, key, sorted(set(figure_keys)), sorted(set(event_keys))
        )
        st.text_input("quote (words as they stand in the article)", key=f"{key}-quote")
        st.button("save", key=f"{key}-save", on_click=_own, args=(reviewer, document, item, key))


def _document(reviewer: str, document_id: int) -> None:
    with db() as session:
        document = session.get(Document, document_id)
        items = versions(session, document_id)
    st.button(
        "All documents to adjudicate", key="adj-back", on_click=state.go, args=("adjudicate",)
    )
    st.subheader(md_escape(document.title or document.external_id or f"document {document.id}"))
    state.show_flash()
    spans = [
        Span(v.value.start, v.value.end, n, v.value.field, v.value.id)
        for n, v in enumerate(items)
        if v.value.start is not None and v.value.end is not None
    ]
    with st.expander("article", expanded=False):
        st.html(article_html(document.text, spans))
    open_items = [i for i in items if i.value.decision is None and not i.record.rejected]
    agreed = sum(1 for i in open_items if i.agreed)
    top = st.columns(3)
    top[0].metric("values left", len(open_items))
    top[1].button(
        f"take the {agreed} agreed values",
        key="adj-agreed",
        disabled=not agreed,
        on_click=_run,
        args=(lambda s: adopt_agreed(s, document_id, reviewer), "agreed values settled"),
    )
    top[2].button(
        "mark done",
        key="adj-done",
        type="primary",
        disabled=bool(open_items),
        on_click=_run,
        args=(lambda s: mark_done(s, document_id, reviewer), "document done"),
    )
    only_disputed = st.toggle("only values the annotators disagree on", value=True)
    for item in items:
        if item.record.rejected and item.value.decision is None:
            continue
        if only_disputed and (item.agreed or item.value.decision is not None):
            continue
        _value_row(reviewer, document, items, item)
        st.divider()


def adjudication_view(reviewer: str) -> None:
    with db() as session:
        allowed = is_reviewer(session, reviewer)
        waiting = awaiting_adjudication(session) if allowed else []
    st.title("Adjudication")
    if not allowed:
        st.warning("Adjudication is for reviewers: `athar reviewer NAME` gives the role.")
        return
    document_id = state.document()
    if document_id is not None:
        _document(reviewer, document_id)
        return
    state.show_flash()
    if not waiting:
        st.info("No document reviewed twice is waiting for adjudication.")
        return
    for document in waiting:
        label = document.title or document.external_id or f"document {document.id}"
        st.button(
            md_escape(label),
            key=f"adj-open-{document.id}",
            on_click=state.go,
            args=("adjudicate", document.id),
        )
