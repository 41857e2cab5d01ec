"""The queue: every document with its state and what is left to review.

Opening a document (the "next" button or a row of the table) claims it; a
row somebody else holds cannot be opened until their lease runs out.
"""

from datetime import UTC, datetime

import streamlit as st

from db.models import utcnow
from db.queue import (
    Order,
    QueueFilter,
    QueueRow,
    filter_choices,
    open_next,
    queue_page,
    queue_summary,
)
from db.review import claim
from review_app import state
from review_app.data import db

PAGE = 25
_ANY = "any"
_ORDERS = {
    Order.NEED: "need (not found, fuzzy first)",
    Order.OLDEST: "date, oldest first",
    Order.NEWEST: "date, newest first",
}
_STATES = {"new": "new", "in_progress": "in progress", "done": "done"}


def queue_settings() -> tuple[QueueFilter, Order]:
    """The filters and order the annotator chose (they stay for the browser session)."""
    get = st.session_state.get

    def chosen(key: str) -> str | None:
        picked = get(key)
        return None if picked in (None, _ANY) else picked

    return (
        QueueFilter(
            states=tuple(get("q-states") or ()),
            backend=chosen("q-backend"),
            model=chosen("q-model"),
            prompt_version=chosen("q-prompt"),
            annotator=chosen("q-annotator"),
        ),
        Order(get("q-order") or Order.NEED),
    )


def _filters() -> None:
    with db() as session:
        choices = filter_choices(session)
    top = st.columns([2, 3, 2, 2, 2, 2])
    restart = {"on_change": _turn, "args": (0,)}
    top[0].selectbox("order by", list(_ORDERS), format_func=_ORDERS.get, key="q-order", **restart)
    top[1].multiselect(
        "state",
        list(_STATES),
        format_func=_STATES.get,
        key="q-states",
        placeholder="all",
        **restart,
    )
    for column, label, key, options in (
        (top[2], "backend", "q-backend", choices.backends),
        (top[3], "model", "q-model", choices.models),
        (top[4], "prompt version", "q-prompt", choices.prompt_versions),
        (top[5], "annotator", "q-annotator", choices.annotators),
    ):
        column.selectbox(label, [_ANY, *options], key=key, **restart)


def _holder(row: QueueRow, now: datetime) -> str:
    if row.claimed_by and row.lease_until:
        until = row.lease_until if row.lease_until.tzinfo else row.lease_until.replace(tzinfo=UTC)
        if until > now:
            return f"🔒 {row.claimed_by}"
    return ""


def _open(annotator: str, document_id: int) -> None:
    with db() as session:
        if claim(session, document_id, annotator):
            state.go("doc", document_id)
        else:
            state.flash(
                f"Someone else is reviewing document {document_id}; pick another.", "warning"
            )
    st.session_state["q-table-generation"] = st.session_state.get("q-table-generation", 0) + 1


def _open_next(annotator: str) -> None:
    filters, order = queue_settings()
    with db() as session:
        found = open_next(session, annotator, filters, order)
    if found is None:
        state.flash("Nothing left to review with these filters.", "success")
    else:
        state.go("doc", found.id)


def queue_view(annotator: str) -> None:
    st.header("Queue")
    state.show_flash()
    _filters()
    filters, order = queue_settings()
    page = st.session_state.get("q-page", 0)
    with db() as session:
        summary = queue_summary(session, filters)
        rows, matching = queue_page(session, filters, order, limit=PAGE, offset=page * PAGE)
    done = summary.by_state.get("done", 0)
    left, right = st.columns(2)
    left.progress(
        done / summary.documents if summary.documents else 0.0,
        text=f"{done} of {summary.documents} documents done",
    )
    right.progress(
        summary.decided / summary.values if summary.values else 0.0,
        text=f"{summary.decided} of {summary.values} values decided",
    )
    st.button(
        "Open next document",
        key="open-next",
        shortcut="N",
        type="primary",
        on_click=_open_next,
        args=(annotator,),
    )
    now = utcnow()
    table = [
        {
            "#": row.id,
            "title": row.title or row.external_id or "",
            "published": row.published or "",
            "state": _STATES.get(row.state, row.state),
            "to review": f"{row.pending} of {row.total}",
            "not found": row.ungrounded,
            "fuzzy": row.fuzzy,
            "with": _holder(row, now) or (f"done by {row.done_by}" if row.done_by else ""),
            "backend": row.backend or "",
            "model": row.model or "",
        }
        for row in rows
    ]
    st.caption("Click a row to open that document.")
    generation = st.session_state.get("q-table-generation", 0)
    picked = st.dataframe(
        table,
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=f"q-table-{generation}",
        column_config={"#": st.column_config.NumberColumn(width="small")},
    )
    if picked.selection.rows:
        _open(annotator, rows[picked.selection.rows[0]].id)
        st.rerun()
    pages = max(1, -(-matching // PAGE))
    nav = st.container(horizontal=True)
    nav.button("‹ previous", key="q-prev", disabled=page == 0, on_click=_turn, args=(page - 1,))
    nav.caption(f"page {page + 1} of {pages} · {matching} documents")
    nav.button("next ›", key="q-next", disabled=page + 1 >= pages, on_click=_turn, args=(page + 1,))


def _turn(page: int) -> None:
    st.session_state["q-page"] = page
