"""The document view: the article, the active value and its actions, the records as cards.

Everything that changes while an annotator works (a decision, moving to the
next value, an edit) happens inside one `st.fragment`, so only this view
reruns, never the queue or the sidebar. Buttons carry the version of the
value they showed, so a decision about a value that changed meanwhile is
refused by `db.review` instead of overwriting it.
"""

import html
from dataclasses import dataclass
from datetime import datetime

import streamlit as st
from streamlit.errors import StreamlitInvalidLayoutContextError

from db.extractions import latest_extraction
from db.models import AuditEntry, Document, Record, Value
from db.queue import open_next
from db.review import (
    RecordView,
    audit_log,
    claim,
    current_records,
    pending_values,
    progress,
    release,
)
from review_app import actions, state
from review_app.actions import Outcome, QuoteNotFound, evidence_span, reground
from review_app.article import PALETTE_SIZE, Span, article_html
from review_app.data import db
from review_app.fields import format_value
from review_app.queue_view import queue_settings
from review_app.selection import first_active, next_pending, step
from review_app.text import md_escape
from review_app.widgets import count, value_editor
from schemas.codebook import DocState, EventType, FigureCategory, MatchKind, RecordKind
from schemas.records import Citation

_DECISION_ICON = {"accepted": "✓", "edited": "✎", "rejected": "✗", None: "•"}
_MATCH_NOTE = {MatchKind.NONE: " ⚠ not found", MatchKind.FUZZY: " ≈ fuzzy"}


@dataclass
class Loaded:
    """One read of everything the view shows, taken in one short session."""

    document: Document
    views: list[RecordView]
    decided: int
    total: int
    entries: list[AuditEntry]
    provenance: str

    @property
    def order(self) -> list[int]:
        return [v.id for view in self.views for v in view.values]

    @property
    def pending(self) -> set[int]:
        return {v.id for v in pending_values(self.views)}

    def find(self, value_id: int | None) -> tuple[int, Record, Value] | None:
        for index, view in enumerate(self.views):
            for value in view.values:
                if value.id == value_id:
                    return index, view.record, value
        return None

    def keys(self, kind: RecordKind) -> list[str]:
        return [v.record.key for v in self.views if v.record.kind == kind]


def _load(document_id: int, annotator: str) -> Loaded | None:
    with db() as session:
        document = session.get(Document, document_id)
        if document is None:
            return None
        decided, total = progress(session, document_id, annotator)
        extraction = latest_extraction(session, document_id)
        provenance = (
            f"{extraction.backend} · {extraction.model} · prompt {extraction.prompt_version}"
            if extraction
            else "not extracted yet"
        )
        return Loaded(
            document,
            current_records(session, document_id, annotator),
            decided,
            total,
            audit_log(session, document_id),
            provenance,
        )


# --- opening and leaving ------------------------------------------------------


def document_page(annotator: str, document_id: int) -> None:
    """Open a document: claim it (renewing the lease on every full load), then show it."""
    with db() as session:
        document = session.get(Document, document_id)
        held = document is not None and (
            document.state == DocState.DONE or claim(session, document_id, annotator)
        )
        if document is not None and not held:
            session.refresh(document)
    if document is None:
        st.error(f"There is no document {document_id}.")
        st.button("Back to the queue", on_click=state.go, args=("queue",))
        return
    if not held:
        until = document.lease_until.strftime("%H:%M UTC") if document.lease_until else "?"
        st.warning(
            f"{md_escape(document.claimed_by or '')} is reviewing document {document_id} "
            f"until {until}. Pick another one."
        )
        st.button("Back to the queue", on_click=state.go, args=("queue",))
        return
    document_view(annotator, document_id)


def leave(annotator: str, document_id: int) -> None:
    """Free the document for others when the annotator moves on."""
    with db() as session:
        release(session, document_id, annotator)


def _open_next(annotator: str, document_id: int) -> None:
    leave(annotator, document_id)
    filters, order = queue_settings()
    with db() as session:
        found = open_next(session, annotator, filters, order, exclude=(document_id,))
    if found is None:
        state.flash("Nothing left to review in the queue with these filters.", "success")
        state.go("queue")
    else:
        state.go("doc", found.id)


# --- the fragment -------------------------------------------------------------


@st.fragment
def document_view(annotator: str, document_id: int) -> None:
    loaded = _load(document_id, annotator)
    if loaded is None:
        st.error(f"There is no document {document_id}.")
        return
    order, pending = loaded.order, loaded.pending
    advance_from = st.session_state.pop("advance", None)
    if advance_from is not None:
        active = next_pending(order, advance_from, pending)
    else:
        active = first_active(order, state.value(), pending)
    state.select(active)
    readonly = loaded.document.state == DocState.DONE

    _header(loaded)
    state.show_flash("doc")
    article_column, values_column = st.columns([3, 2], gap="large")
    with values_column:
        preview = _values_panel(annotator, loaded, active, readonly)
    with article_column:
        st.html(article_html(loaded.document.text, _spans(loaded), active, preview))
    _document_actions(annotator, loaded, readonly)
    _audit(loaded)


def _header(loaded: Loaded) -> None:
    document = loaded.document
    title = html.escape(document.title or document.external_id or f"document {document.id}")
    meta = " · ".join(
        html.escape(str(part))
        for part in (
            f"#{document.id}",
            document.external_id,
            document.published,
            document.outlet,
            loaded.provenance,
            document.state.replace("_", " "),
        )
        if part
    )
    st.html(f'<h3 class="doc-title" dir="auto">{title}</h3><div class="doc-meta">{meta}</div>')
    fraction = loaded.decided / loaded.total if loaded.total else 1.0
    st.progress(fraction, text=f"{loaded.decided} of {loaded.total} values decided")


def _spans(loaded: Loaded) -> list[Span]:
    spans: list[Span] = []
    for index, view in enumerate(loaded.views):
        record = view.record
        if record.rejected:
            continue
        if record.evidence_start is not None:
            spans.append(Span(record.evidence_start, record.evidence_end, index, record.key))
        spans.extend(
            Span(v.start, v.end, index, f"{record.key} {v.field}", v.id)
            for v in view.values
            if v.start is not None and v.decision != "rejected"
        )
    return spans


# --- the active value ---------------------------------------------------------


def _after(outcome: Outcome, advance_from: int | None = None) -> None:
    """Show what a step did; after a decision, move on from `advance_from` to the next
    pending value; after an undo or an addition, show the value it touched."""
    state.flash(outcome.message, "toast" if outcome.ok else "warning", where="doc")
    if outcome.ok and advance_from is not None:
        st.session_state["advance"] = advance_from
    if outcome.value_id is not None:
        state.select(outcome.value_id)


def _accept(annotator: str, value_id: int, version: int) -> None:
    with db() as session:
        _after(actions.accept(session, value_id, annotator, version), value_id)


def _reject(annotator: str, value_id: int, version: int) -> None:
    with db() as session:
        _after(actions.reject(session, value_id, annotator, version), value_id)


def _undo(annotator: str, document_id: int) -> None:
    _stop_edit()
    with db() as session:
        _after(actions.undo(session, document_id, annotator))


def _move(order: list[int], current: int | None, by: int) -> None:
    _stop_edit()
    state.select(step(order, current, by))


def _start_edit(value_id: int) -> None:
    st.session_state["editing"] = value_id


def _stop_edit() -> None:
    st.session_state.pop("editing", None)


def _row(label: str, content: str) -> str:
    """One labelled line of the active value; `content` is already escaped."""
    return f'<div class="row"><span class="k">{label}</span>{content}</div>'


def _active_html(index: int, record: Record, value: Value) -> str:
    """The value under review, with `data-active-value` so tests and the bench can wait on it."""
    e = html.escape
    kind = "Figure" if record.kind == RecordKind.FIGURE else "Event"
    match = e(value.match or "uncited")
    score = f" · {value.score:.2f}" if value.match else ""
    decision = e(value.decision or "pending")
    who = f" · {e(value.decided_by)}" if value.decided_by else ""
    rows = [_row("value", e(format_value(value.field, value.value)))]
    if value.model_value != value.value and record.origin == "model":
        rows.append(_row("model", e(format_value(value.field, value.model_value))))
    if value.source:
        rows.append(f'<div class="quote" dir="rtl">«{e(value.source)}»</div>')
    if value.quote and value.quote != value.source:
        rows.append(_row("as quoted", f'<span dir="rtl">«{e(value.quote)}»</span>'))
    if record.rejected:
        rows.append('<div class="row warn">this record is rejected; undo to restore it</div>')
    return (
        f'<div class="active-value" data-active-value="{value.id}" data-version="{value.version}">'
        f'<div class="head"><span class="swatch r{index % PALETTE_SIZE}"></span>'
        f"{kind} {e(record.key)} · <b>{e(value.field)}</b>"
        f'<span class="badge m-{match}">{match}{score}</span>'
        f'<span class="badge d-{decision}">{decision}{who}</span>'
        f' <a href="#v-{value.id}">show</a></div>{"".join(rows)}</div>'
    )


def _values_panel(
    annotator: str, loaded: Loaded, active: int | None, readonly: bool
) -> tuple[int, int] | None:
    """The active value with its actions, then every record as a card; returns a preview span."""
    found = loaded.find(active)
    preview = None
    if found is None:
        st.info("No values in this document. Add what the model missed below, then mark it done.")
    else:
        index, record, value = found
        st.html(_active_html(index, record, value))
        row = st.container(horizontal=True)
        args = (annotator, value.id, value.version)
        row.button(
            "Accept",
            key="accept",
            shortcut="A",
            on_click=_accept,
            args=args,
            disabled=readonly,
            type="primary",
        )
        row.button(
            "Edit",
            key="edit",
            shortcut="E",
            on_click=_start_edit,
            args=(value.id,),
            disabled=readonly,
        )
        row.button(
            "Reject", key="reject", shortcut="X", on_click=_reject, args=args, disabled=readonly
        )
        row.button(
            "Previous", key="prev", shortcut="K", on_click=_move, args=(loaded.order, active, -1)
        )
        row.button("Next", key="next", shortcut="J", on_click=_move, args=(loaded.order, active, 1))
        if st.session_state.get("editing") == value.id and not readonly:
            preview = _edit_panel(annotator, loaded, record, value)
    _cards(loaded, active)
    if not readonly:
        preview = _add_panel(annotator, loaded) or preview
    return preview


def _edit_panel(
    annotator: str, loaded: Loaded, record: Record, value: Value
) -> tuple[int, int] | None:
    key = f"e{value.id}v{value.version}"
    preview = None
    with st.container(border=True):
        st.markdown(f"**Edit {md_escape(value.field)}**")
        try:
            new_value = value_editor(
                value.field,
                value.value,
                key,
                loaded.keys(RecordKind.FIGURE),
                loaded.keys(RecordKind.EVENT),
            )
            problem = None
        except ValueError as invalid:
            new_value, problem = None, str(invalid)
        typed = st.text_input(
            "supporting quote (as in the article)", value=value.quote or "", key=f"{key}-quote"
        )
        if typed.strip() and typed.strip() not in (value.quote, value.source):
            try:
                cited = reground(loaded.document.text, typed, evidence_span(record), value.start)
                preview = (cited.start, cited.end)
                st.caption(f"found ({cited.match}, {cited.score:.2f}): «{md_escape(cited.source)}»")
            except QuoteNotFound as missing:
                problem = str(missing)
        if problem:
            st.error(md_escape(problem))
        row = st.container(horizontal=True)
        save = row.button(
            "Save", key="save", shortcut="Ctrl+Enter", type="primary", disabled=problem is not None
        )
        row.button("Cancel", key="cancel", shortcut="Esc", on_click=_stop_edit)
    if save:
        with db() as session:
            outcome = actions.edit(session, value.id, annotator, value.version, new_value, typed)
        if outcome.ok:
            st.session_state.pop("editing", None)
        _after(outcome, value.id)
        _refresh()
    return preview


def _refresh() -> None:
    """Redraw the view after a step taken in its body (a click inside the fragment
    reruns only the fragment; a full run, as after a reload, reruns the page)."""
    try:
        st.rerun(scope="fragment")
    except StreamlitInvalidLayoutContextError:
        st.rerun()


def _select(value_id: int) -> None:
    _stop_edit()
    state.select(value_id)


def _cards(loaded: Loaded, active: int | None) -> None:
    for index, view in enumerate(loaded.views):
        record = view.record
        kind = "Figure" if record.kind == RecordKind.FIGURE else "Event"
        notes = []
        if record.origin == "human":
            notes.append("added by a reviewer")
        if record.rejected:
            notes.append("rejected")
        with st.container(border=True, gap=None):
            evidence = html.escape(record.evidence_source or record.evidence_quote or "")
            st.html(
                f'<div class="card-head"><span class="swatch r{index % PALETTE_SIZE}"></span>'
                f"{kind} {html.escape(record.key)}"
                f"{' · ' + html.escape(', '.join(notes)) if notes else ''}</div>"
                f'<div class="evidence" dir="rtl">{evidence}</div>'
            )
            for value in view.values:
                note = _MATCH_NOTE.get(value.match, "") if value.decision is None else ""
                label = (
                    f"{_DECISION_ICON[value.decision]} {md_escape(value.field)}: "
                    f"{md_escape(format_value(value.field, value.value))}{note}"
                )
                st.button(
                    label,
                    key=f"pick-{value.id}",
                    on_click=_select,
                    args=(value.id,),
                    type="primary" if value.id == active else "tertiary",
                )


# --- adding what the model missed -----------------------------------------------


def _grounded_caption(text: str, typed: str, within: tuple[int, int] | None) -> Citation | None:
    if not typed.strip():
        return None
    try:
        cited = reground(text, typed, within)
    except QuoteNotFound as missing:
        st.error(md_escape(str(missing)))
        return None
    st.caption(f"found ({cited.match}): «{md_escape(cited.source)}»")
    return cited


def _add_panel(annotator: str, loaded: Loaded) -> tuple[int, int] | None:
    text = loaded.document.text
    generation = st.session_state.setdefault("add-generation", 0)
    key = f"add{generation}"
    with st.expander("Add a figure or event the model missed"):
        kind = RecordKind(
            st.radio("kind", [k.value for k in RecordKind], horizontal=True, key=f"{key}-kind")
        )
        evidence = st.text_input("1. quote the words that state it", key=f"{key}-evidence-quote")
        cited = _grounded_caption(text, evidence, None)
        span = (cited.start, cited.end) if cited else None
        values: dict = {}
        problem = None
        if kind == RecordKind.FIGURE:
            category = st.selectbox(
                "2. category", [c.value for c in FigureCategory], key=f"{key}-cat"
            )
            category_quote = st.text_input("category cue (e.g. قتل)", key=f"{key}-cat-quote")
            _grounded_caption(text, category_quote, span)
            count_quote = st.text_input(
                "number phrase (e.g. ما لا يقل عن 7)", key=f"{key}-count-quote"
            )
            _grounded_caption(text, count_quote, span)
            try:
                values["count"] = (count(None, f"{key}-count"), count_quote)
            except ValueError as invalid:
                problem = str(invalid)
                st.caption(md_escape(problem))
            values["category"] = (category, category_quote)
        else:
            event_type = st.selectbox(
                "2. event type", [e.value for e in EventType], key=f"{key}-type"
            )
            trigger = st.text_input("trigger words (e.g. هجوم)", key=f"{key}-trigger-quote")
            _grounded_caption(text, trigger, span)
            values["event_type"] = (event_type, trigger)
        if st.button("Add record", key="add-record", disabled=cited is None or problem is not None):
            with db() as session:
                outcome = actions.add_missing(
                    session, loaded.document.id, annotator, kind, evidence, values
                )
            _after(outcome)
            if outcome.ok:
                st.session_state["add-generation"] = generation + 1
            _refresh()
    return span


# --- the document as a whole ----------------------------------------------------


def _document_actions(annotator: str, loaded: Loaded, readonly: bool) -> None:
    document_id = loaded.document.id
    waiting = len(loaded.pending)
    row = st.container(horizontal=True)
    if readonly:
        if row.button("Reopen", key="reopen"):
            with db() as session:
                outcome = actions.reopen_document(session, document_id, annotator)
            state.flash(outcome.message, "success" if outcome.ok else "warning", where="doc")
            st.rerun(scope="app")
    else:
        row.button("Undo", key="undo", shortcut="U", on_click=_undo, args=(annotator, document_id))
        done = row.button(
            "Mark done",
            key="done",
            shortcut="D",
            disabled=waiting > 0,
            help=f"{waiting} values still need a decision" if waiting else "every value is decided",
        )
        if done:
            with db() as session:
                outcome = actions.finish(session, document_id, annotator)
            if not outcome.ok:
                state.flash(outcome.message, "warning", where="doc")
                _refresh()
            state.flash(outcome.message, "success")
            _open_next(annotator, document_id)
            st.rerun(scope="app")
    if row.button("Next document", key="next-doc", shortcut="N"):
        _open_next(annotator, document_id)
        st.rerun(scope="app")
    if row.button("Queue", key="to-queue", shortcut="Q"):
        leave(annotator, document_id)
        state.go("queue")
        st.rerun(scope="app")


def _audit(loaded: Loaded) -> None:
    fields = {v.id: v.field for view in loaded.views for v in view.values}

    def shown(entry: AuditEntry, snapshot) -> str:
        if not isinstance(snapshot, dict):
            return ""
        if "values" in snapshot:
            return f"{snapshot.get('kind', '')} {snapshot.get('key', '')}"
        value = format_value(fields.get(entry.value_id, ""), snapshot.get("value"))
        return f"{snapshot.get('decision') or 'pending'}: {value}"

    with st.expander(f"Audit log ({len(loaded.entries)})"):
        if not loaded.entries:
            st.caption("No decisions yet.")
            return
        st.dataframe(
            [
                {
                    "when (UTC)": _when(entry.at),
                    "who": entry.annotator,
                    "action": entry.action,
                    "value": fields.get(entry.value_id, ""),
                    "before": shown(entry, entry.before),
                    "after": shown(entry, entry.after),
                }
                for entry in reversed(loaded.entries)
            ],
            hide_index=True,
        )


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")
