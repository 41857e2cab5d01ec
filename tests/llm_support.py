"""Shared pieces for the LLM, runner and batch tests: two short articles written for these
tests, their correct answers, a stub-server fixture and settings that point at it."""

import copy
import re
from collections.abc import Iterator
from typing import Any

import pytest
from llm_stub import Script, StubServer

from extractor.llm.settings import LLMSettings

SYRIA = (
    "أفاد المرصد السوري لحقوق الإنسان بمقتل ١٢ عنصراً من قوات النظام، بينهم ضابطان، "
    "في هجوم شنه تنظيم داعش على حاجز عسكري قرب مدينة السخنة بريف حمص الشرقي يوم الأحد.\n"
    "وأصيب 5 آخرون بجروح."
)
IRAQ = (
    "قالت مصادر أمنية عراقية إن القوات العراقية اعتقلت ثلاثة مطلوبين بتهمة الانتماء إلى داعش "
    "في قضاء تلعفر غربي الموصل صباح اليوم.\nوأضافت المصادر أن عبوة ناسفة انفجرت على دورية "
    "للجيش العراقي في المنطقة نفسها، ما أدى إلى إصابة جنديين."
)


def figure(**values: Any) -> dict[str, Any]:
    """A figure as the model fills it; unspecified fields take neutral values."""
    base: dict[str, Any] = dict.fromkeys(
        [
            "vague_term",
            "unit_quote",
            "actor",
            "subgroup",
            "group_quote",
            "since",
            "until",
            "scope_quote",
            "part_of",
            "part_of_quote",
            "event",
            "reported_by",
            "reported_by_quote",
        ]
    )
    base.update(unit="persons", scope="incident", qualifier="exact")
    if "best" in values and values.get("qualifier", "exact") == "exact":
        base.update(low=values["best"], high=values["best"])
    base.update(values)
    return base


def event(**values: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict.fromkeys(
        [
            "date",
            "date_quote",
            "location_name",
            "admin1",
            "country",
            "location_quote",
            "actor1",
            "actor1_quote",
            "actor2",
            "actor2_quote",
            "reported_by",
            "reported_by_quote",
        ]
    )
    base.update(date_precision="unknown")
    base.update(values)
    return base


SYRIA_ANSWER = {
    "figures": [
        figure(
            id="F1",
            evidence="بمقتل ١٢ عنصراً من قوات النظام",
            category="killed",
            category_quote="مقتل",
            count_quote="١٢",
            best=12,
            actor="Syrian Government Forces",
            group_quote="قوات النظام",
            event="E1",
            reported_by="SOHR",
            reported_by_quote="المرصد السوري لحقوق الإنسان",
        ),
        figure(
            id="F2",
            evidence="بينهم ضابطان",
            category="killed",
            category_quote="مقتل",
            count_quote="ضابطان",
            best=2,
            actor="Syrian Government Forces",
            subgroup="leaders",
            part_of="F1",
            part_of_quote="بينهم",
            event="E1",
        ),
        figure(
            id="F3",
            evidence="وأصيب 5 آخرون بجروح",
            category="wounded",
            category_quote="أصيب",
            count_quote="5",
            best=5,
            event="E1",
        ),
    ],
    "events": [
        event(
            id="E1",
            evidence="هجوم شنه تنظيم داعش على حاجز عسكري قرب مدينة السخنة",
            event_type="armed_clash",
            trigger_quote="هجوم",
            date="2019-05-12",
            date_precision="day",
            date_quote="يوم الأحد",
            location_name="السخنة",
            admin1="Homs",
            country="SY",
            location_quote="مدينة السخنة",
            actor1="Syrian Government Forces",
            actor1_quote="قوات النظام",
            actor2="Islamic State",
            actor2_quote="تنظيم داعش",
            reported_by="SOHR",
            reported_by_quote="المرصد السوري لحقوق الإنسان",
        )
    ],
}
IRAQ_ANSWER = {
    "figures": [
        figure(
            id="F1",
            evidence="اعتقلت ثلاثة مطلوبين بتهمة الانتماء إلى داعش",
            category="arrested",
            category_quote="اعتقلت",
            count_quote="ثلاثة",
            best=3,
            actor="Islamic State",
            group_quote="داعش",
            event="E1",
        ),
        figure(
            id="F2",
            evidence="إصابة جنديين",
            category="wounded",
            category_quote="إصابة",
            count_quote="جنديين",
            best=2,
            actor="Iraqi Security Forces",
            event="E2",
        ),
    ],
    "events": [
        event(
            id="E1",
            evidence="القوات العراقية اعتقلت ثلاثة مطلوبين",
            event_type="arrest",
            trigger_quote="اعتقلت",
            location_name="تلعفر",
            admin1="Nineveh",
            country="IQ",
            location_quote="قضاء تلعفر",
            actor1="Iraqi Security Forces",
            actor1_quote="القوات العراقية",
        ),
        event(
            id="E2",
            evidence="عبوة ناسفة انفجرت على دورية للجيش العراقي",
            event_type="explosive_device",
            trigger_quote="عبوة ناسفة",
            location_name="تلعفر",
            admin1="Nineveh",
            country="IQ",
            actor1="Iraqi Security Forces",
            actor1_quote="الجيش العراقي",
        ),
    ],
}


def village_report(paragraphs: int) -> str:
    """A long article: one paragraph per shelled village, each with its own toll."""
    return "\n".join(
        f"قال مصدر محلي إن {n} مدنيين قتلوا في قصف على قرية رقم {n} في ريف إدلب الجنوبي."
        for n in range(3, 3 + paragraphs)
    )


def village_answer(chunk: str) -> dict[str, Any]:
    """The right answer for the whole paragraphs of a window of `village_report`."""
    figures, events = [], []
    for line in chunk.split("\n"):
        found = re.search(r"إن (\d+) مدنيين", line)
        if not found or not line.endswith("."):
            continue
        n, k = found.group(1), len(events) + 1
        events.append(
            event(
                id=f"E{k}",
                evidence=line[:-1],
                event_type="shelling",
                trigger_quote="قصف",
                location_name=f"قرية رقم {n}",
                location_quote=f"قرية رقم {n}",
            )
        )
        figures.append(
            figure(
                id=f"F{k}",
                evidence=f"{n} مدنيين قتلوا",
                category="killed",
                category_quote="قتلوا",
                count_quote=n,
                best=int(n),
                event=f"E{k}",
            )
        )
    return {"figures": figures, "events": events}


def changed(extraction: dict[str, Any], record: str, **values: Any) -> dict[str, Any]:
    """A copy of an answer with one record's fields changed (to script a wrong answer)."""
    result = copy.deepcopy(extraction)
    for item in [*result["figures"], *result["events"]]:
        if item["id"] == record:
            item.update(values)
    return result


@pytest.fixture
def stub() -> Iterator[StubServer]:
    server = StubServer(Script()).start()
    yield server
    server.stop()


def stub_settings(url: str, **overrides: Any) -> LLMSettings:
    """Settings for the stub: short timeouts and waits so fault tests stay fast."""
    values: dict[str, Any] = {
        "base_url": url,
        "api_key": "test-key",
        "model": "gpt-4.1-mini",
        "mode": "json_schema",
        "timeout_s": 3.0,
        "max_retry_wait_s": 2.0,
        "transport_attempts": 6,
        "reasks": 2,
    }
    values.update(overrides)
    return LLMSettings.from_env(**values)
