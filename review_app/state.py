"""Where the annotator is: the view, document and value live in the URL's query parameters.

Keeping them in the URL (not only in session state) means a reload, a
bookmark or a restarted server returns to the same document and value.
Session state holds only what a reload may forget: an open edit, the
last message, the queue's filters.
"""

from typing import Literal

import streamlit as st

from review_app.text import md_escape

View = Literal["queue", "doc", "codebook", "adjudicate", "stats"]
_LEVELS = ("toast", "success", "info", "warning", "error")


def _int(name: str) -> int | None:
    raw = st.query_params.get(name)
    return int(raw) if raw and raw.isdigit() else None


def view() -> View:
    wanted = st.query_params.get("view")
    if wanted in ("doc", "codebook", "adjudicate", "stats") and (
        wanted != "doc" or document() is not None
    ):
        return wanted
    return "queue"


def document() -> int | None:
    return _int("doc")


def value() -> int | None:
    return _int("value")


def go(to: View, document_id: int | None = None) -> None:
    """Switch view; the annotator parameter (single-user mode) survives."""
    keep = {k: st.query_params[k] for k in ("annotator",) if k in st.query_params}
    st.query_params.from_dict(
        {**keep, "view": to} | ({"doc": str(document_id)} if document_id else {})
    )
    st.session_state.pop("editing", None)
    st.session_state.pop("advance", None)


def select(value_id: int | None) -> None:
    if value_id is None:
        st.query_params.pop("value", None)
    elif value() != value_id:
        st.query_params["value"] = str(value_id)


def flash(message: str, level: str = "info", where: str = "page") -> None:
    """A message to show once, at the top of the page or of the document view.

    Routine confirmations are toasts, which do not move the page under the
    annotator's eyes; refusals stay in place until the next step.
    """
    st.session_state[f"flash-{where}"] = (level if level in _LEVELS else "info", message)


def show_flash(where: str = "page") -> None:
    level, message = st.session_state.pop(f"flash-{where}", (None, None))
    if message:
        getattr(st, level)(md_escape(message))
