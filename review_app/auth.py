"""Who is reviewing: a name in single-user mode, a name and password in team mode.

Team mode is on when `ATHAR_AUTH_FILE` names a file written by
`athar annotator add`. Nothing else in the app is shown until the annotator
is known, because every decision is stored under their name.
"""

import streamlit as st
from sqlmodel import select

from db.auth import auth_file, authenticate
from db.models import Annotator
from db.review import ReviewError, ensure_annotator
from review_app.data import db


def _register(name: str) -> None:
    with db() as session:
        ensure_annotator(session, name)
        session.commit()
    st.session_state["annotator"] = name


def _known_names() -> list[str]:
    with db() as session:
        return list(session.exec(select(Annotator.name).order_by(Annotator.name)).all())


def _solo_sign_in() -> None:
    st.title("athar review")
    st.write("Every decision is stored under your name. Who is reviewing?")
    known = _known_names()
    with st.form("identity"):
        picked = st.selectbox("Your name", ["", *known], index=0, disabled=not known)
        typed = st.text_input("or a new name", key="new-name")
        if st.form_submit_button("Start reviewing", type="primary"):
            name = (typed or picked or "").strip()
            try:
                _register(name)
            except ReviewError as refused:
                st.error(str(refused))
                return
            st.query_params["annotator"] = name
            st.rerun()


def _team_sign_in() -> None:
    st.title("athar review")
    st.write("Sign in with the name and password your team lead gave you.")
    with st.form("sign-in"):
        name = st.text_input("Name", key="sign-in-name").strip()
        password = st.text_input("Password", type="password", key="sign-in-password")
        if st.form_submit_button("Sign in", type="primary"):
            if name and authenticate(auth_file(), name, password):
                _register(name)
                st.rerun()
            st.error("That name and password do not match.")


def annotator() -> str | None:
    """The signed-in annotator, or None after drawing the sign-in form."""
    name = st.session_state.get("annotator")
    if name:
        return name
    if auth_file() is None:
        from_url = (st.query_params.get("annotator") or "").strip()
        if from_url:
            _register(from_url)
            return from_url
        _solo_sign_in()
    else:
        _team_sign_in()
    return None


def sign_out() -> None:
    st.session_state.pop("annotator", None)
    st.query_params.pop("annotator", None)
