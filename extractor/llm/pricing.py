"""What a call costs, from a price table: built-in list prices, overridable by a file.

Prices move and endpoints differ (a local vLLM costs nothing), so the table is
data: `ATHAR_PRICES` names a JSON file `{"model": {"input": ..., "cached_input":
..., "output": ...}}` in US dollars per million tokens, merged over the
defaults. A dated model name (`gpt-4o-mini-2024-07-18`) takes the price of
its longest listed prefix; an unknown model costs 0 and says so.
"""

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

BATCH_DISCOUNT = 0.5  # the OpenAI Batch API bills half


@dataclass(frozen=True)
class Price:
    input: float
    cached_input: float
    output: float


DEFAULT_PRICES: dict[str, Price] = {
    "gpt-4.1": Price(2.00, 0.50, 8.00),
    "gpt-4.1-mini": Price(0.40, 0.10, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.025, 0.40),
    "gpt-4o": Price(2.50, 1.25, 10.00),
    "gpt-4o-mini": Price(0.15, 0.075, 0.60),
    "gpt-5": Price(1.25, 0.125, 10.00),
    "gpt-5-mini": Price(0.25, 0.025, 2.00),
    "gpt-5-nano": Price(0.05, 0.005, 0.40),
}


@cache
def price_table(path: str | None = None) -> dict[str, Price]:
    path = path or os.environ.get("ATHAR_PRICES")
    table = dict(DEFAULT_PRICES)
    if path:
        for model, entry in json.loads(Path(path).read_text(encoding="utf-8")).items():
            table[model] = Price(
                input=float(entry["input"]),
                cached_input=float(entry.get("cached_input", entry["input"])),
                output=float(entry["output"]),
            )
    return table


def price_for(model: str, table: dict[str, Price] | None = None) -> Price | None:
    table = table if table is not None else price_table()
    if model in table:
        return table[model]
    prefixes = [name for name in table if model.startswith(name + "-")]
    return table[max(prefixes, key=len)] if prefixes else None


def cost_usd(
    model: str, prompt: int, completion: int, cached: int = 0, batch: bool = False
) -> float:
    """Dollars for one call's usage; cached prompt tokens are billed at the cached rate."""
    price = price_for(model)
    if price is None:
        return 0.0
    uncached = max(prompt - cached, 0)
    dollars = (
        uncached * price.input + cached * price.cached_input + completion * price.output
    ) / 1_000_000
    return dollars * (BATCH_DISCOUNT if batch else 1.0)
