"""The offline rules backend: the default when no model endpoint is configured.

It reads figures and events with the lexicons and rules of this package and
returns the same grounded records as the LLM backend, stored the same way.
It is deterministic and needs no network, so it also serves as a baseline
every model run can be scored against.
"""

import time
from typing import Any

from db.extractions import Provenance
from extractor.backend import Article, BackendResult
from extractor.numbers import find_counts
from extractor.rules import text
from extractor.rules.dates import find_dates, publication_date
from extractor.rules.events import find_events
from extractor.rules.figures import find_figures
from extractor.rules.lexicon import lexicon, rules_version
from extractor.rules.records import grounded_records
from schemas.records import GroundedRecord


def extract_records(text_: str, published: str | None = None) -> list[GroundedRecord]:
    """Figures and events of one article, every value cited with exact offsets."""
    lx = lexicon()
    article = text.Article(text_, lx)
    dates = find_dates(article, lx.dates, publication_date(published))
    figures = find_figures(article, lx, dates, find_counts(text_))
    events = find_events(article, lx, dates)
    return grounded_records(article, figures, events)


class RulesBackend:
    """The `Backend` protocol over `extract_records`."""

    name = "rules"
    model = "rules"
    endpoint_host: str | None = None

    def __init__(self) -> None:
        self.prompt_version = rules_version()
        self.params: dict[str, Any] = {}

    async def extract(self, article: Article) -> BackendResult:
        started = time.perf_counter()
        records = extract_records(article.text, article.published)
        return BackendResult(
            records=records, provenance=Provenance(latency_s=time.perf_counter() - started)
        )
