"""The codebook inside the app, so the rules are one click away while reviewing.

The app ships its own copy (`codebook.md`, identical to the project's
CODEBOOK.md; a test keeps them equal and checks every vocabulary of
`schemas.codebook` appears in it), so a fresh install has it without the
source tree.
"""

from pathlib import Path

import streamlit as st

from review_app import state

CODEBOOK = Path(__file__).with_name("codebook.md")


def codebook_view() -> None:
    document_id = state.document()
    if document_id is not None:
        st.button(
            f"Back to document {document_id}",
            on_click=state.go,
            args=("doc", document_id),
            type="primary",
        )
    st.markdown(CODEBOOK.read_text(encoding="utf-8"))
