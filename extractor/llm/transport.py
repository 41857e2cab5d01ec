"""Sending one chat request, retrying what the network and the endpoint get wrong.

This is the only retry layer for transport failures: the SDK's own retries are
off (`max_retries=0`), and instructor retries only validation failures. A 429
or 5xx waits as long as the endpoint's Retry-After asks (capped), otherwise
backs off exponentially with jitter; a request that hangs past the timeout is
abandoned and sent again. Every HTTP exchange, failed or not, is written to
the document's `CallLog`, which becomes the extraction's provenance.
"""

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import openai
from openai.types.chat import ChatCompletion
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from extractor.llm.pricing import cost_usd


def retry_after_s(error: BaseException) -> float | None:
    """The delay an endpoint asked for, from `retry-after-ms` or `retry-after` (seconds or date)."""
    response = getattr(error, "response", None)
    if response is None:
        return None
    headers = response.headers
    if millis := headers.get("retry-after-ms"):
        try:
            return float(millis) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        return max((parsedate_to_datetime(value) - datetime.now(UTC)).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None


def is_transient(error: BaseException) -> bool:
    """Failures worth sending the same request again for."""
    if isinstance(error, openai.APIConnectionError):  # includes timeouts
        return True
    if isinstance(error, openai.APIStatusError):
        return error.status_code in (408, 409, 429) or error.status_code >= 500
    return False


class WaitRetryAfter:
    """Tenacity wait: the endpoint's Retry-After when given, else exponential back-off."""

    def __init__(self, cap_s: float, initial_s: float = 0.5) -> None:
        self.cap_s = cap_s
        self.fallback = wait_exponential_jitter(multiplier=initial_s, max=cap_s, jitter=initial_s)

    def __call__(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        asked = retry_after_s(error) if error else None
        return min(asked, self.cap_s) if asked is not None else self.fallback(state)


def _usage(completion: ChatCompletion) -> dict[str, int]:
    usage = completion.usage
    if usage is None:
        return {"prompt": 0, "completion": 0, "cached": 0}
    details = usage.prompt_tokens_details
    return {
        "prompt": usage.prompt_tokens or 0,
        "completion": usage.completion_tokens or 0,
        "cached": (details.cached_tokens or 0) if details else 0,
    }


@dataclass
class CallLog:
    """Every HTTP exchange made for one document, in order: its provenance."""

    model: str
    attempts: list[dict[str, Any]] = field(default_factory=list)
    window: list[int] | None = None  # the article window the next responses answer

    def _add(self, entry: dict[str, Any]) -> dict[str, Any]:
        entry = {"n": len(self.attempts) + 1, "at": datetime.now(UTC).isoformat(), **entry}
        self.attempts.append(entry)
        return entry

    def response(
        self, raw: str, completion: ChatCompletion, latency_s: float, batch: bool = False
    ) -> None:
        """Record an answer; `batch` answers came through the Batch API at its price."""
        usage = _usage(completion)
        cost = cost_usd(self.model, usage["prompt"], usage["completion"], usage["cached"], batch)
        self._add(
            {
                "kind": "response",
                "latency_s": round(latency_s, 4),
                "usage": usage,
                "cost_usd": cost,
                "window": self.window,
                "raw": raw,
                **({"batch": True} if batch else {}),
            }
        )

    def failure(self, error: BaseException, latency_s: float) -> None:
        self._add(
            {
                "kind": "error",
                "latency_s": round(latency_s, 4),
                "status": getattr(error, "status_code", None),
                "error": f"{type(error).__name__}: {error}",
                "retry_after_s": retry_after_s(error),
            }
        )

    def note(self, **facts: Any) -> None:
        """Attach facts (a parse error, the validation problems) to the latest response."""
        for entry in reversed(self.attempts):
            if entry["kind"] == "response":
                entry.update(facts)
                return

    def responses(self) -> list[dict[str, Any]]:
        return [a for a in self.attempts if a["kind"] == "response"]

    def tokens(self) -> int:
        return sum(a["usage"]["prompt"] + a["usage"]["completion"] for a in self.responses())

    def totals(self) -> dict[str, Any]:
        responses = self.responses()
        return {
            "prompt_tokens": sum(a["usage"]["prompt"] for a in responses),
            "completion_tokens": sum(a["usage"]["completion"] for a in responses),
            "cached_tokens": sum(a["usage"]["cached"] for a in responses),
            "cost_usd": sum(a["cost_usd"] for a in responses),
        }


class Transport:
    """Chat completions over one shared `AsyncOpenAI` client, with tenacity retries."""

    def __init__(self, client: openai.AsyncOpenAI, attempts: int, max_wait_s: float) -> None:
        self.client = client
        self.attempts = attempts
        self.max_wait_s = max_wait_s

    async def send(self, log: CallLog, **kwargs: Any) -> ChatCompletion:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.attempts),
            wait=WaitRetryAfter(self.max_wait_s),
            retry=retry_if_exception(is_transient),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                started = time.perf_counter()
                try:
                    raw = await self.client.chat.completions.with_raw_response.create(**kwargs)
                    completion = raw.parse()
                except Exception as error:
                    log.failure(error, time.perf_counter() - started)
                    raise
                log.response(raw.text, completion, time.perf_counter() - started)
                return completion
        raise AssertionError("unreachable: tenacity reraises the last error")
