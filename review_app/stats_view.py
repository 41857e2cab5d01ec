"""Stats: how the review is going and what it says about the models and prompts.

Progress per annotator and day, the share of the model's values accepted,
edited and rejected by field and by prompt version, and the agreement
between annotators on documents reviewed twice, as charts with the numbers
beside them. Everything is read through `db` (db.review_stats, db.agreement).
"""

from collections import defaultdict

import pandas as pd
import streamlit as st

from db.agreement import agreement
from db.review_stats import daily_progress, field_verdicts, misses
from review_app.data import db

_VERDICTS = ("accepted", "edited", "rejected")


def _shares(groups: dict[str, list[int]]) -> pd.DataFrame:
    """Rows of accepted / edited / rejected shares, one per group (field or prompt)."""
    rows = {
        name: {d: n / sum(counts) for d, n in zip(_VERDICTS, counts, strict=True)}
        for name, counts in groups.items()
        if sum(counts)
    }
    return pd.DataFrame.from_dict(rows, orient="index", columns=list(_VERDICTS))


def _progress() -> None:
    with db() as session:
        days = daily_progress(session)
    st.subheader("Progress per annotator and day")
    if not days:
        st.info("No decision yet.")
        return
    frame = pd.DataFrame(
        [(d.day.isoformat(), d.annotator, d.decisions, d.documents_done) for d in days],
        columns=["day", "annotator", "decisions", "documents done"],
    )
    left, right = st.columns(2)
    left.caption("values decided")
    left.bar_chart(frame, x="day", y="decisions", color="annotator")
    right.caption("documents marked done")
    right.bar_chart(frame, x="day", y="documents done", color="annotator")


def _acceptance() -> None:
    with db() as session:
        verdicts = field_verdicts(session)
        added = misses(session)
    st.subheader("The model's values as reviewers judged them")
    if not verdicts:
        st.info("No reviewed value yet.")
        return
    by_field: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    by_prompt: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for v in verdicts:
        prompt = f"{v.backend} · {v.model} · {v.prompt_version}"
        for i, n in enumerate((v.accepted, v.edited, v.rejected)):
            by_field[v.field][i] += n
            by_prompt[prompt][i] += n
    left, right = st.columns(2)
    left.caption("by field (share of decided values)")
    left.bar_chart(_shares(by_field), horizontal=True)
    right.caption("by backend, model and prompt version")
    right.bar_chart(_shares(by_prompt), horizontal=True)
    with st.expander("the numbers"):
        st.dataframe(pd.DataFrame([v.to_dict() for v in verdicts]), hide_index=True)
        if added:
            st.caption("records annotators added (the model's misses)")
            st.dataframe(pd.DataFrame([m.to_dict() for m in added]), hide_index=True)


def _agreement() -> None:
    with db() as session:
        report = agreement(session)
    st.subheader("Agreement between annotators")
    if not report.fields:
        st.info("No value has been judged by two annotators yet (ATHAR_OVERLAP sets the share).")
        return
    st.caption(
        f"{report.documents} documents reviewed twice: Cohen's kappa per field "
        "(counts: exact agreement), and mean span overlap of the quotes"
    )
    frame = pd.DataFrame([f.to_dict() for f in report.fields]).set_index("field")
    left, right = st.columns(2)
    left.caption("agreement and kappa per field (kappa is blank where only one category was used)")
    left.bar_chart(frame[["observed", "kappa"]], horizontal=True, stack=False)
    right.caption("span overlap of the quotes")
    right.bar_chart(frame[["span_overlap"]].dropna(), horizontal=True)
    with st.expander("the numbers"):
        st.dataframe(frame, width="stretch")


def stats_view() -> None:
    st.title("Stats")
    _progress()
    _acceptance()
    _agreement()
