"""The article as right-to-left HTML with every cited span highlighted.

The text is untrusted (it comes from the web), so every piece of it is
HTML-escaped before any markup is added; markup is only ever built from our
own classes and numbers. Spans may overlap (a count inside its record's
evidence, two values quoting the same words), and HTML elements cannot
overlap, so the text is cut at every span boundary and each piece is marked
with all the spans that cover it.
"""

import html
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

PALETTE_SIZE = 8


@dataclass(frozen=True)
class Span:
    """A stretch of the article to mark: a value's quote or a record's evidence."""

    start: int
    end: int
    record: int
    label: str
    value_id: int | None = None

    @property
    def is_evidence(self) -> bool:
        return self.value_id is None


def _pieces(length: int, bounds: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    cuts = {0, length}
    for bound in bounds:
        cuts.update(bound)
    points = sorted(c for c in cuts if 0 <= c <= length)
    return [(a, b) for a, b in pairwise(points) if a < b]


def _piece_html(
    piece: str,
    covering: list[Span],
    selected: int | None,
    in_preview: bool,
) -> str:
    values = [s for s in covering if not s.is_evidence]
    evidence = [s for s in covering if s.is_evidence]
    if not values and not evidence and not in_preview:
        return piece
    classes: list[str] = []
    attributes = ""
    if values:
        innermost = min(values, key=lambda s: s.end - s.start)
        classes += ["v", f"r{innermost.record % PALETTE_SIZE}"]
        ids = " ".join(str(s.value_id) for s in values)
        title = "; ".join(s.label for s in values)
        attributes = f' data-values="{ids}" title="{html.escape(title)}"'
        if selected is not None and any(s.value_id == selected for s in values):
            classes.append("sel")
    if evidence:
        classes += ["ev", f"e{evidence[0].record % PALETTE_SIZE}"]
    if in_preview:
        classes.append("preview")
    tag = "mark" if values or in_preview else "span"
    return f'<{tag} class="{" ".join(classes)}"{attributes}>{piece}</{tag}>'


def article_html(
    text: str,
    spans: Sequence[Span],
    selected: int | None = None,
    preview: tuple[int, int] | None = None,
) -> str:
    """The article's HTML: escaped text, spans marked, the selected value's span emphasised.

    `preview` is where a quote being typed was found, shown before it is saved.
    Each value's first piece carries an anchor `v-<id>` so a value card can link to it.
    """
    marked = [s for s in spans if 0 <= s.start < s.end <= len(text)]
    anchors: dict[int, list[int]] = {}
    for span in marked:
        if not span.is_evidence:
            anchors.setdefault(span.start, []).append(span.value_id)
    out: list[str] = []
    bounds = [(s.start, s.end) for s in marked] + ([preview] if preview else [])
    for start, end in _pieces(len(text), bounds):
        out.extend(f'<span id="v-{value_id}"></span>' for value_id in anchors.pop(start, ()))
        covering = [s for s in marked if s.start <= start and end <= s.end]
        in_preview = preview is not None and preview[0] <= start and end <= preview[1]
        out.append(_piece_html(html.escape(text[start:end]), covering, selected, in_preview))
    return f'<div class="athar-article" dir="rtl" lang="ar">{"".join(out)}</div>'
