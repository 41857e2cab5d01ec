"""Dates in an article, resolved to ISO dates with a precision.

News rarely writes a full date: "أمس", "يوم الجمعة", "الاثنين الماضي",
"منتصف الشهر الجاري", "الـ 10 من سبتمبر" all need the publication date (or,
failing that, a full date the article itself gives) to become a day. A month
alone is the 1st of the month at month precision, a year alone 1 January at
year precision (CODEBOOK.md section 3).
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.utils import parsedate_to_datetime

from extractor.rules.lexicon import DateWords
from extractor.rules.text import Article

_NUMERIC = re.compile(
    r"(?<!\d)(?:(?P<y1>\d{4})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})"
    r"|(?P<d2>\d{1,2})[/.-](?P<m2>\d{1,2})[/.-](?P<y2>\d{4}))(?!\d)"
)
_FROM = "من"
_MONTH_WORD = "شهر"


@dataclass(frozen=True)
class DateMention:
    """A date in the text: shadow span, value (None when it cannot be resolved)
    and precision. `relative` dates were read against the reference date;
    `month_day` is kept when the text wrote no year."""

    start: int
    end: int
    value: date | None
    precision: str
    relative: bool = False
    month_day: tuple[int, int] | None = None


def publication_date(published: str | None) -> date | None:
    """The day an article was published, from an RFC 2822 or ISO 8601 string."""
    if not published or not published.strip():
        return None
    value = published.strip()
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


class _Reader:
    def __init__(self, article: Article, words: DateWords, reference: date | None) -> None:
        self.article = article
        self.words = words
        self.reference = reference

    def text(self, i: int) -> str | None:
        return self.article.word_text(i)

    def year_at(self, i: int) -> tuple[int, int] | None:
        """A year written at word i ("2018", "العام 2018", "من العام 2018"): (year, last word)."""
        j = i + 1 if self.text(i) == _FROM else i
        if self.text(j) in self.words.year_words:
            j += 1
        token = self.text(j)
        if token and token.isdigit() and len(token) == 4 and 1900 <= int(token) <= 2100:
            return int(token), j
        return None

    def relative_year(self, i: int, month: int) -> tuple[int, int] | None:
        """The year that "الجاري" / "الماضي" after a month name stands for, read
        from the reference, with the last word used; year 0 without a reference."""
        j = i + 1 if self.text(i) in self.words.year_words else i
        word = self.text(j)
        if self.reference is None:
            return (0, j) if word in self.words.current | self.words.past else None
        if word in self.words.current:
            return self.reference.year, j
        if word in self.words.past:
            back = month >= self.reference.month
            return self.reference.year - back, j
        return None

    def day_before(self, first: int) -> tuple[int, int] | None:
        """The day number written before a month at word `first`: (day, first word)."""
        i = first - 1
        if self.text(i) == _FROM:
            i -= 1
        token = self.text(i)
        if token and token.isdigit() and 1 <= int(token) <= 31:
            return int(token), i
        for hit in self.article.hits(self.words.ordinal_days):
            if hit.last == i:
                return hit.payload, hit.first
        return None

    def month_mentions(self) -> list[DateMention]:
        months = self.article.hits(self.words.months)
        out = []
        skip_until = -1
        for n, hit in enumerate(months):
            if hit.first <= skip_until:
                continue
            last = hit.last
            # "كانون الثاني/يناير": a second name for the same month.
            if n + 1 < len(months) and months[n + 1].first == last + 1:
                last = skip_until = months[n + 1].last
            first, day, precision = hit.first, 1, "month"
            found_day = self.day_before(hit.first)
            if self.text(hit.first - 1) == _MONTH_WORD:
                first = hit.first - 1
            if found_day:
                day, first = found_day
                precision = "day"
            elif self.text(first - 1) in self.words.month_start:
                first -= 1
            year = self.year_at(last + 1)
            relative = None if year else self.relative_year(last + 1, hit.payload)
            if relative:
                # "الجاري من العام 2019": a written year after the word still wins.
                year = self.year_at(relative[1] + 1) or relative
            value = None
            if year:
                last = year[1]
                value = _safe_date(year[0], hit.payload, day) if year[0] else None
            out.append(self._mention(first, last, value, precision, hit.payload, day))
        return out

    def _mention(
        self, first: int, last: int, value: date | None, precision: str, month: int, day: int
    ) -> DateMention:
        tokens = self.article.words.tokens
        start, end = tokens[first].start, tokens[last].end
        if value is not None:
            return DateMention(start, end, value, precision)
        if self.reference is not None:
            # No year: the latest such date on or before the reference.
            year = self.reference.year - ((month, day) > (self.reference.month, self.reference.day))
            value = _safe_date(year, month, day)
        return DateMention(start, end, value, precision, True, (month, day))

    def year_mentions(self, taken: list[DateMention]) -> list[DateMention]:
        out = []
        tokens = self.article.words.tokens
        for i, token in enumerate(tokens):
            if token.text not in self.words.year_words:
                continue
            year = self.year_at(i)
            if year and not any(m.start <= tokens[year[1]].start < m.end for m in taken):
                out.append(
                    DateMention(token.start, tokens[year[1]].end, date(year[0], 1, 1), "year")
                )
        return out

    def relative_mentions(self) -> list[DateMention]:
        ref = self.reference
        out = []
        for hit in self.article.hits(self.words.relative_days):
            value = ref + timedelta(days=hit.payload) if ref else None
            out.append(DateMention(hit.start, hit.end, value, "day", True))
        for hit in self.article.hits(self.words.weekdays):
            value, end = None, hit.end
            past = self.text(hit.last + 1) in self.words.past
            if past:
                end = self.article.words.tokens[hit.last + 1].end
            if ref:
                back = (ref.weekday() - hit.payload) % 7 or (7 if past else 0)
                value = ref - timedelta(days=back)
            out.append(DateMention(hit.start, end, value, "day", True))
        for hit in self.article.hits(self.words.relative_months):
            value = None
            if ref:
                index = ref.year * 12 + ref.month - 1 + hit.payload
                value = date(index // 12, index % 12 + 1, 1)
            out.append(DateMention(hit.start, hit.end, value, "month", True))
        for hit in self.article.hits(self.words.relative_years):
            value = date(ref.year + hit.payload, 1, 1) if ref else None
            out.append(DateMention(hit.start, hit.end, value, "year", True))
        return out

    def numeric_mentions(self) -> list[DateMention]:
        out = []
        for m in _NUMERIC.finditer(self.article.shadow.text):
            y, mo, d = (m.group("y1"), m.group("m1"), m.group("d1"))
            if y is None:
                y, mo, d = m.group("y2"), m.group("m2"), m.group("d2")
            value = _safe_date(int(y), int(mo), int(d))
            if value:
                out.append(DateMention(m.start(), m.end(), value, "day"))
        return out


def _borrow_years(mentions: list[DateMention], article: Article) -> list[DateMention]:
    """A date without its year takes the year of the next full date in the same
    sentence ("16 تشرين الثاني و28 كانون الأول 2017")."""
    out = []
    for n, m in enumerate(mentions):
        if m.month_day is not None:
            end = article.sentence(m.start)[1]
            later = next(
                (x for x in mentions[n + 1 :] if x.start < end and x.value and not x.relative),
                None,
            )
            if later is not None and later.precision in ("day", "month"):
                month, day = m.month_day
                year = later.value.year - (month > later.value.month)
                m = DateMention(m.start, m.end, _safe_date(year, month, day), m.precision)
        out.append(m)
    return out


def find_dates(article: Article, words: DateWords, published: date | None) -> list[DateMention]:
    """Every date in the article, in order. Relative dates are read against the
    publication date, or else the latest full date the article gives."""
    explicit = _Reader(article, words, None)
    full = [m for m in explicit.month_mentions() + explicit.numeric_mentions() if m.value]
    reference = published or max((m.value for m in full if m.precision == "day"), default=None)
    reader = _Reader(article, words, reference)
    months = reader.month_mentions()
    mentions = months + reader.numeric_mentions()
    mentions += reader.year_mentions(mentions)
    relative = [
        m
        for m in reader.relative_mentions()
        if not any(x.start <= m.start < x.end for x in mentions)
    ]
    ordered = sorted(mentions + relative, key=lambda m: m.start)
    return _borrow_years(ordered, article)
