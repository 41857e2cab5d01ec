"""Where the model is and how hard to try: read once from the environment, overridable per run.

Every setting that can change what is extracted or what it costs is recorded in
the run's `params`, so a stored extraction says how it was made.
"""

import os
from dataclasses import asdict, dataclass, replace
from typing import Any
from urllib.parse import urlparse

import instructor

from prompts import DEFAULT_PROMPT

DEFAULT_MODEL = "gpt-4.1-mini"
MODES = {
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "tools": instructor.Mode.TOOLS,
    "md_json": instructor.Mode.MD_JSON,
}


def endpoint_configured() -> bool:
    """Whether any LLM endpoint is configured; without one, `--backend auto` runs the rules."""
    return bool(os.environ.get("OPENAI_BASE_URL") or os.environ.get("OPENAI_API_KEY"))


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    return float(raw) if raw else default


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw else default


@dataclass(frozen=True)
class LLMSettings:
    base_url: str | None
    api_key: str | None
    model: str
    mode: str
    prompt: str
    timeout_s: float  # one HTTP request; a hang past it is retried
    transport_attempts: int  # tries per request for 429, 5xx, timeouts and dropped connections
    max_retry_wait_s: float  # cap on one back-off wait, Retry-After included
    reasks: int  # validation re-asks after the first answer
    token_budget: int  # per document; no re-ask starts once it is spent
    chunk_chars: int  # longer articles are split
    chunk_overlap: int
    max_output_tokens: int | None

    @classmethod
    def from_env(cls, **overrides: Any) -> "LLMSettings":
        settings = cls(
            base_url=os.environ.get("OPENAI_BASE_URL") or None,
            api_key=os.environ.get("OPENAI_API_KEY") or None,
            model=os.environ.get("ATHAR_MODEL") or DEFAULT_MODEL,
            mode=(os.environ.get("ATHAR_LLM_MODE") or "json_schema").lower(),
            prompt=os.environ.get("ATHAR_PROMPT") or DEFAULT_PROMPT,
            timeout_s=_env_float("ATHAR_LLM_TIMEOUT", 120.0),
            transport_attempts=_env_int("ATHAR_LLM_ATTEMPTS", 6),
            max_retry_wait_s=_env_float("ATHAR_LLM_MAX_WAIT", 60.0),
            reasks=_env_int("ATHAR_REASKS", 2),
            token_budget=_env_int("ATHAR_TOKEN_BUDGET", 100_000),
            chunk_chars=_env_int("ATHAR_CHUNK_CHARS", 12_000),
            chunk_overlap=_env_int("ATHAR_CHUNK_OVERLAP", 600),
            max_output_tokens=_env_int("ATHAR_MAX_OUTPUT_TOKENS", 0) or None,
        )
        settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
        if settings.mode not in MODES:
            raise ValueError(
                f"ATHAR_LLM_MODE must be one of {', '.join(MODES)}, not {settings.mode}"
            )
        if settings.chunk_overlap >= settings.chunk_chars // 2:
            raise ValueError("ATHAR_CHUNK_OVERLAP must be under half of ATHAR_CHUNK_CHARS")
        return settings

    @property
    def instructor_mode(self) -> instructor.Mode:
        return MODES[self.mode]

    @property
    def endpoint_host(self) -> str:
        return urlparse(self.base_url).netloc if self.base_url else "api.openai.com"

    def params(self) -> dict[str, Any]:
        """What goes into the run's provenance: everything but the credentials."""
        recorded = asdict(self)
        del recorded["api_key"], recorded["base_url"]
        return {**recorded, "temperature": 0}
