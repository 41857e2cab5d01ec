"""Validation helpers shared by every model that carries a count.

Models write Arabic-Indic digits as often as ASCII ones; pydantic refuses
"١٢" for an int, so counts go through `to_int` first.
"""

from typing import Annotated, Any

from pydantic import BeforeValidator

from schemas.codebook import Qualifier

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def to_int(value: Any) -> Any:
    """Accept ints written in any digit script (with ٬ or , separators)."""
    if isinstance(value, str):
        cleaned = value.strip().translate(_DIGITS).replace("٬", "").replace(",", "")
        if cleaned.lstrip("-").isdigit():
            return int(cleaned)
    return value


ArabicInt = Annotated[int, BeforeValidator(to_int)]


def count_bounds_error(
    best: int | None, low: int | None, high: int | None, qualifier: Qualifier
) -> str | None:
    """Say what is wrong with (best, low, high) for this qualifier, per the codebook's table.

    Returns None when consistent. The message is written for a model to read on a re-ask.
    """
    for name, v in (("best", best), ("low", low), ("high", high)):
        if v is not None and v < 0:
            return f"{name} must not be negative"
    if low is not None and best is not None and low > best and qualifier != Qualifier.MORE_THAN:
        return f"low ({low}) must not exceed best ({best})"
    if high is not None and best is not None and best > high:
        return f"best ({best}) must not exceed high ({high})"
    if low is not None and high is not None and low > high:
        return f"low ({low}) must not exceed high ({high})"
    expected = {
        Qualifier.EXACT: best is not None and low == best and high == best,
        Qualifier.AT_LEAST: best is not None and low == best and high is None,
        Qualifier.MORE_THAN: best is not None and low == best + 1 and high is None,
        Qualifier.LESS_THAN: best is None and low == 1 and high is not None,
        Qualifier.APPROX: best is not None and low is None and high is None,
        Qualifier.RANGE: best is None and low is not None and high is not None,
        Qualifier.VAGUE: best is not None and low == best and high is not None,
        Qualifier.UNKNOWN: best is None and low is None and high is None,
    }[qualifier]
    if expected:
        return None
    rule = {
        Qualifier.EXACT: "best = low = high = N",
        Qualifier.AT_LEAST: "best = low = N, high null",
        Qualifier.MORE_THAN: "best = N, low = N+1, high null",
        Qualifier.LESS_THAN: "best null, low = 1, high = N-1",
        Qualifier.APPROX: "best = N, low and high null",
        Qualifier.RANGE: "best null, low = N, high = M",
        Qualifier.VAGUE: "best = low = the vague floor (10, 100, 1000...), high = its ceiling",
        Qualifier.UNKNOWN: "best, low and high all null",
    }[qualifier]
    return f"qualifier {qualifier.value} needs {rule}; got best={best}, low={low}, high={high}"
