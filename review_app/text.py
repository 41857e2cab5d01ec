"""Putting untrusted text into Streamlit's Markdown-rendering widgets as plain text."""

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md_escape(text: str) -> str:
    """Backslash every Markdown-significant character so article words stay words."""
    return _MARKDOWN.sub(r"\\\1", text).replace("\n", " ")
