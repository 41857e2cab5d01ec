"""The codebook's closed vocabularies (CODEBOOK.md, schema version 1).

Every other layer (prompt, validators, rules backend, review app, export)
imports its enums from here, so a category added to the codebook is added once.
"""

from enum import StrEnum

SCHEMA_VERSION = "1"


class FigureCategory(StrEnum):
    KILLED = "killed"
    WOUNDED = "wounded"
    CASUALTIES = "casualties"
    ARRESTED = "arrested"
    CAPTURED = "captured"
    ABDUCTED = "abducted"
    ESCAPED = "escaped"
    AT_LARGE = "at_large"
    RELEASED = "released"
    DISPLACED = "displaced"
    EXECUTED = "executed"
    SURRENDERED = "surrendered"
    HANDED_OVER = "handed_over"
    DEPLOYED = "deployed"
    HELD = "held"
    OTHER = "other"


class Qualifier(StrEnum):
    EXACT = "exact"
    AT_LEAST = "at_least"
    MORE_THAN = "more_than"
    LESS_THAN = "less_than"
    APPROX = "approx"
    RANGE = "range"
    VAGUE = "vague"
    UNKNOWN = "unknown"


class Unit(StrEnum):
    PERSONS = "persons"
    FAMILIES = "families"
    VEHICLES = "vehicles"
    STRIKES = "strikes"
    MUNITIONS = "munitions"
    OTHER = "other"


class ScopeKind(StrEnum):
    INCIDENT = "incident"
    CUMULATIVE = "cumulative"
    PERIOD = "period"


class EventType(StrEnum):
    ARMED_CLASH = "armed_clash"
    TERRITORY_TAKEN = "territory_taken"
    AIR_STRIKE = "air_strike"
    SHELLING = "shelling"
    SUICIDE_BOMBING = "suicide_bombing"
    EXPLOSIVE_DEVICE = "explosive_device"
    ATTACK_ON_CIVILIANS = "attack_on_civilians"
    ABDUCTION = "abduction"
    EXECUTION = "execution"
    ARREST = "arrest"
    PRISON_BREAK = "prison_break"
    DISPLACEMENT = "displacement"
    SURRENDER = "surrender"
    HANDOVER = "handover"
    DEPLOYMENT = "deployment"
    SECURITY_MEASURE = "security_measure"
    PROTEST = "protest"
    OTHER = "other"


# (ACLED event_type, ACLED sub_event_type) for each of our event types.
# territory_taken depends on who takes it; the export picks the sub-type.
ACLED_TYPES: dict[EventType, tuple[str, str]] = {
    EventType.ARMED_CLASH: ("Battles", "Armed clash"),
    EventType.TERRITORY_TAKEN: ("Battles", "Non-state actor overtakes territory"),
    EventType.AIR_STRIKE: ("Explosions/Remote violence", "Air/drone strike"),
    EventType.SHELLING: ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    EventType.SUICIDE_BOMBING: ("Explosions/Remote violence", "Suicide bomb"),
    EventType.EXPLOSIVE_DEVICE: ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    EventType.ATTACK_ON_CIVILIANS: ("Violence against civilians", "Attack"),
    EventType.ABDUCTION: ("Violence against civilians", "Abduction/forced disappearance"),
    EventType.EXECUTION: ("Violence against civilians", "Attack"),
    EventType.ARREST: ("Strategic developments", "Arrests"),
    EventType.PRISON_BREAK: ("Strategic developments", "Other"),
    EventType.DISPLACEMENT: ("Strategic developments", "Other"),
    EventType.SURRENDER: ("Strategic developments", "Other"),
    EventType.HANDOVER: ("Strategic developments", "Agreement"),
    EventType.DEPLOYMENT: ("Strategic developments", "Other"),
    EventType.SECURITY_MEASURE: ("Strategic developments", "Other"),
    EventType.PROTEST: ("Protests", "Peaceful protest"),
    EventType.OTHER: ("Strategic developments", "Other"),
}
GOVERNMENT_REGAINS_TERRITORY = ("Battles", "Government regains territory")


class DatePrecision(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


class MatchKind(StrEnum):
    """How a quote was found in the article; ordered from best to worst."""

    EXACT = "exact"
    NORMALIZED = "normalized"
    FUZZY = "fuzzy"
    NONE = "none"


class RecordKind(StrEnum):
    FIGURE = "figure"
    EVENT = "event"


class Origin(StrEnum):
    MODEL = "model"
    HUMAN = "human"


class Decision(StrEnum):
    ACCEPTED = "accepted"
    EDITED = "edited"
    REJECTED = "rejected"


class DocState(StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    DONE = "done"
