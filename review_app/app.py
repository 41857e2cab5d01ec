"""athar's review app (run it with `athar review`).

Identity first, then one view chosen by the URL: the queue, a document, the
codebook, the stats, or adjudication (reviewers). All state changes go
through `db` functions.
"""

from pathlib import Path

import streamlit as st

from review_app import state
from review_app.adjudication_view import adjudication_view
from review_app.auth import annotator, sign_out
from review_app.codebook_view import codebook_view
from review_app.document import document_page, leave
from review_app.queue_view import queue_view
from review_app.stats_view import stats_view
from review_app.text import md_escape

KEYS = """
| key | does |
|---|---|
| `A` | accept |
| `E` | edit (`Ctrl+Enter` saves, `Esc` cancels) |
| `X` | reject |
| `J` / `K` | next / previous value |
| `U` | undo your last decision |
| `D` | mark the document done |
| `N` | next document |
| `Q` | back to the queue |
"""


def _leave_document(who: str) -> None:
    document_id = state.document()
    if document_id is not None:
        leave(who, document_id)


def _to_queue(who: str) -> None:
    _leave_document(who)
    state.go("queue")


def _to_view(who: str, view: state.View) -> None:
    _leave_document(who)
    state.go(view)


def _to_codebook() -> None:
    """The document stays claimed and one click away while the annotator reads the rules."""
    state.go("codebook", state.document())


def _sign_out(who: str) -> None:
    _leave_document(who)
    sign_out()


def _sidebar(who: str) -> None:
    with st.sidebar:
        st.markdown(f"Signed in as **{md_escape(who)}**")
        st.button("Sign out", on_click=_sign_out, args=(who,))
        st.divider()
        st.button("Queue", on_click=_to_queue, args=(who,), width="stretch")
        st.button("Codebook", on_click=_to_codebook, width="stretch")
        st.button("Stats", on_click=_to_view, args=(who, "stats"), width="stretch")
        st.button("Adjudicate", on_click=_to_view, args=(who, "adjudicate"), width="stretch")
        st.divider()
        st.markdown(KEYS)


def main() -> None:
    st.set_page_config(page_title="athar review", layout="wide")
    st.html(Path(__file__).with_name("style.css"))
    who = annotator()
    if who is None:
        return
    _sidebar(who)
    view = state.view()
    if view == "doc":
        document_page(who, state.document())
    elif view == "codebook":
        codebook_view()
    elif view == "stats":
        stats_view()
    elif view == "adjudicate":
        adjudication_view(who)
    else:
        queue_view(who)


main()
