"""The article's HTML: escaped text, every span marked, overlaps handled."""

import html
import re

from hypothesis import given
from hypothesis import strategies as st

from review_app.article import Span, article_html

TAG = re.compile(r"<[^>]*>")
OURS = re.compile(r'</?(div|span|mark)( (class|dir|lang|id|data-values|title)="[^"<>]*")*>')


def _text_of(markup: str) -> str:
    """What a browser would show: the markup without tags, entities decoded."""
    return html.unescape(TAG.sub("", markup))


def _marked(markup: str, value_id: int) -> str:
    """The text of every piece marked as belonging to a value, in order."""
    pieces = re.findall(r'<mark class="[^"]*" data-values="([^"]*)"[^>]*>(.*?)</mark>', markup)
    return "".join(html.unescape(t) for ids, t in pieces if str(value_id) in ids.split())


def test_markup_in_the_article_is_shown_as_text():
    text = 'قال <script>alert(1)</script> و<img src=x onerror="alert(2)"> & "انتهى"'
    start = text.index("alert(1)")
    markup = article_html(text, [Span(start, start + 8, 0, "F1 count", 7)], selected=7)
    assert "<script" not in markup and "<img" not in markup
    assert "&lt;script&gt;" in markup and "&lt;img src=x" in markup
    assert _text_of(markup) == text
    assert _marked(markup, 7) == "alert(1)"


def test_the_article_is_right_to_left():
    markup = article_html("نص", [])
    assert markup.startswith('<div class="athar-article" dir="rtl" lang="ar">')


def test_overlapping_spans_each_keep_their_exact_text():
    text = "قتل ما لا يقل عن ١٢ مدنياً في قصف"
    evidence = Span(0, text.index(" في"), 0, "F1")
    count = Span(4, text.index(" مدنياً"), 0, "F1 count", 1)
    wider = Span(0, text.index(" مدنياً"), 1, "F2 count", 2)
    markup = article_html(text, [evidence, count, wider], selected=1)
    assert _text_of(markup) == text
    assert _marked(markup, 1) == text[count.start : count.end]
    assert _marked(markup, 2) == text[wider.start : wider.end]
    selected = re.findall(r'<mark class="([^"]*)" data-values="([^"]*)"', markup)
    assert all(("sel" in cls.split()) == ("1" in ids.split()) for cls, ids in selected)
    assert markup.count('id="v-1"') == 1 and markup.count('id="v-2"') == 1
    # The shorter span colours the overlap, so the count stays visible inside F2.
    assert re.search(r'class="v r0 sel[^"]*" data-values="1 2"', markup)


def test_a_preview_marks_where_a_typed_quote_was_found():
    text = "واعتقلت قوات الأمن نحو 30 شخصاً"
    start = text.index("نحو")
    markup = article_html(text, [], preview=(start, start + 6))
    (previewed,) = re.findall(r'<mark class="preview">(.*?)</mark>', markup)
    assert previewed == "نحو 30"


@given(
    text=st.text(min_size=0, max_size=60),
    bounds=st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=6),
    selected=st.integers(0, 6),
)
def test_any_text_and_spans_round_trip(text, bounds, selected):
    spans = [Span(min(a, b), max(a, b), i, f"v{i}", i) for i, (a, b) in enumerate(bounds)]
    markup = article_html(text, spans, selected=selected)
    assert _text_of(markup) == text
    assert all(OURS.fullmatch(tag) for tag in TAG.findall(markup)), "only our own tags"
    for span in spans:
        if 0 <= span.start < span.end <= len(text):
            assert _marked(markup, span.value_id) == text[span.start : span.end]
