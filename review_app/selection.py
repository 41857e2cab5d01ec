"""Which value is active: moving through a document's values in reading order."""

from collections.abc import Collection, Sequence


def step(order: Sequence[int], current: int | None, by: int) -> int | None:
    """The value `by` places after (or before) `current`, stopping at either end."""
    if not order:
        return None
    if current not in order:
        return order[0]
    at = min(max(order.index(current) + by, 0), len(order) - 1)
    return order[at]


def next_pending(order: Sequence[int], current: int | None, pending: Collection[int]) -> int | None:
    """The first pending value after `current`, wrapping round; `current` if none is left."""
    if not pending:
        return current
    start = order.index(current) + 1 if current in order else 0
    for value_id in (*order[start:], *order[:start]):
        if value_id in pending:
            return value_id
    return current


def first_active(order: Sequence[int], wanted: int | None, pending: Collection[int]) -> int | None:
    """The value to show on opening: the one in the URL, else the first pending one."""
    if wanted in order:
        return wanted
    return next((v for v in order if v in pending), order[0] if order else None)
