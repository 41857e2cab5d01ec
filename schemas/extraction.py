"""What the language model fills: values and the verbatim quotes behind them, never offsets.

The models are flat on purpose: every property is required and nullable rather
than optional, objects forbid extra keys and fields carry no `$ref` siblings,
so `model_json_schema()` is accepted by OpenAI's strict structured outputs
as it is (tests/test_schemas.py checks that).
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from schemas.codebook import DatePrecision, EventType, FigureCategory, Qualifier, ScopeKind, Unit
from schemas.numbers import ArabicInt, count_bounds_error

IsoDate = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FigureOut(_Strict):
    """One number the article reports (CODEBOOK.md section 2)."""

    id: str = Field(description="F1, F2, ... unique within the article")
    evidence: str = Field(description="the shortest verbatim clause that states this figure")
    category: FigureCategory
    category_quote: str = Field(description="verbatim cue word(s) for the category, e.g. قتل")
    count_quote: str | None = Field(
        description="verbatim number phrase with its qualifier words; null if no number"
    )
    best: ArabicInt | None
    low: ArabicInt | None
    high: ArabicInt | None
    qualifier: Qualifier
    vague_term: str | None = Field(description="the vague word verbatim (عشرات, مئات...)")
    unit: Unit
    unit_quote: str | None
    actor: str | None = Field(description="canonical actor or 'civilians' whose people are counted")
    subgroup: str | None = Field(description="children, women, men, leaders, ... or null")
    group_quote: str | None
    scope: ScopeKind
    since: IsoDate | None
    until: IsoDate | None
    scope_quote: str | None = Field(description="verbatim scope cue (حصيلة, منذ, خلال ...)")
    part_of: str | None = Field(description="id of the figure this is a subset of (بينهم)")
    part_of_quote: str | None
    event: str | None = Field(description="id of the event this figure belongs to")
    reported_by: str | None
    reported_by_quote: str | None

    @model_validator(mode="after")
    def _count_is_consistent(self) -> "FigureOut":
        error = count_bounds_error(self.best, self.low, self.high, self.qualifier)
        if error:
            raise ValueError(f"figure {self.id}: {error}")
        return self


class EventOut(_Strict):
    """Something that happened at one place on one day (CODEBOOK.md section 3)."""

    id: str = Field(description="E1, E2, ... unique within the article")
    evidence: str = Field(description="the shortest verbatim clause that states this event")
    event_type: EventType
    trigger_quote: str = Field(description="verbatim trigger phrase, e.g. هجوم, غارات")
    date: IsoDate | None
    date_precision: DatePrecision
    date_quote: str | None
    location_name: str | None = Field(description="the place as written in the article")
    admin1: str | None = Field(description="governorate in English, e.g. Deir ez-Zor")
    country: str | None = Field(description="ISO 3166 alpha-2, e.g. SY, IQ")
    location_quote: str | None
    actor1: str | None
    actor1_quote: str | None
    actor2: str | None
    actor2_quote: str | None
    reported_by: str | None
    reported_by_quote: str | None


class ArticleExtraction(_Strict):
    """Everything one article reports; what the model returns for one article (or chunk)."""

    figures: list[FigureOut]
    events: list[EventOut]
