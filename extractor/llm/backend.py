"""The LLM backend: instructor over any OpenAI-compatible endpoint, checked against the article.

Per article window (one, unless the article is long): instructor sends the
prompt with the article as `{{ source }}`, parses the answer into
`CheckedExtraction`, and re-asks while a quote does not ground, a count
disagrees with its quote or a link dangles, at most `reasks` times and only
while the document's token budget lasts. If the last answer still fails,
its well-formed records are stored anyway, with the problems kept in the
provenance and ungrounded values at match `none`; a document fails only when
no answer could be read at all.
"""

import json
import logging
import time
from collections.abc import Iterable
from typing import Any

import instructor
import openai
from instructor.core.exceptions import InstructorError
from instructor.core.hooks import Hooks

from db.extractions import Provenance
from extractor.backend import Article, BackendResult
from extractor.llm.chunking import chunk_spans, merge_reports
from extractor.llm.estimate import Estimate, estimate
from extractor.llm.prompting import extraction_prompt
from extractor.llm.settings import LLMSettings
from extractor.llm.transport import CallLog, Transport
from extractor.llm.validation import (
    ArticleCheck,
    CheckedExtraction,
    CheckReport,
    check_extraction,
    checking,
    salvage,
)

Span = tuple[int, int]
MAX_ERROR_CHARS = 4000
# instructor logs every failed attempt at ERROR; each one is in the extraction's provenance
# instead, so its log lines would only scroll the progress bar away.
logging.getLogger("instructor").addHandler(logging.NullHandler())


class ExtractionFailed(Exception):
    """No answer for a window could be read; the document is recorded as failed."""


def make_client(settings: LLMSettings) -> openai.AsyncOpenAI:
    """The SDK's own retries are off: `Transport` is the one retry layer."""
    return openai.AsyncOpenAI(
        base_url=settings.base_url,
        # Local endpoints (vLLM, Ollama, llama-server) take any key; the SDK insists on one.
        api_key=settings.api_key or "unused",
        max_retries=0,
        timeout=settings.timeout_s,
    )


def answer_text(raw: str) -> str | None:
    """The model's answer inside a raw chat-completion body: message text or tool arguments."""
    try:
        message = json.loads(raw)["choices"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    calls = message.get("tool_calls") or []
    if calls:
        return calls[0].get("function", {}).get("arguments")
    return message.get("content")


def report_from_answer(text: str, answer: str | None, window: Span) -> CheckReport | None:
    """Ground whatever can be kept of a stored answer (used after the last attempt and by
    `reground`); None when the answer holds no JSON object."""
    extraction, problems = salvage(answer or "")
    if extraction is None:
        return None
    report = check_extraction(extraction, text, window)
    report.problems[:0] = problems
    return report


def provenance(log: CallLog, latency_s: float) -> Provenance:
    return Provenance(attempts=log.attempts, latency_s=round(latency_s, 4), **log.totals())


class LLMBackend:
    """Implements `extractor.backend.Backend` over an OpenAI-compatible endpoint."""

    name = "llm"

    def __init__(
        self, settings: LLMSettings | None = None, client: openai.AsyncOpenAI | None = None
    ) -> None:
        self.settings = settings or LLMSettings.from_env()
        self.prompt = extraction_prompt(self.settings.prompt)
        self.model = self.settings.model
        self.prompt_version = self.prompt.version
        self.endpoint_host: str | None = self.settings.endpoint_host
        self.params: dict[str, Any] = {**self.settings.params(), "prompt": self.prompt.name}
        self.client = client or make_client(self.settings)
        _ = self.client.chat.completions  # the SDK imports its resources on first use; now
        self.transport = Transport(
            self.client, self.settings.transport_attempts, self.settings.max_retry_wait_s
        )

    def estimate(self, lengths: Iterable[int]) -> Estimate:
        """Tokens and cost a run over texts of these lengths would take (for --dry-run)."""
        return estimate(self.prompt, self.settings, lengths)

    def windows(self, text: str) -> list[Span]:
        return chunk_spans(text, self.settings.chunk_chars, self.settings.chunk_overlap)

    def context(self, article: Article, window: Span) -> dict[str, Any]:
        """The template variables; the article's text enters only as `source`."""
        return {
            "source": article.text[window[0] : window[1]],
            "published": article.published or "unknown",
        }

    async def extract(self, article: Article) -> BackendResult:
        log = CallLog(self.model)
        started = time.perf_counter()
        try:
            reports = [await self.read_window(article, w, log) for w in self.windows(article.text)]
        except ExtractionFailed as failure:
            return BackendResult(
                [], provenance(log, time.perf_counter() - started), "error", str(failure)
            )
        merged = merge_reports(reports)
        return BackendResult(merged.records, provenance(log, time.perf_counter() - started))

    async def read_window(
        self,
        article: Article,
        window: Span,
        log: CallLog,
        prior: list[tuple[str, str]] | None = None,
        reasks: int | None = None,
    ) -> CheckReport:
        """Ask about one window until its answer checks out or the attempts run out.

        `prior` continues a conversation begun elsewhere: (role, text) turns such
        as a Batch API answer that failed validation and the message naming its
        problems.

        The messages are rendered here (`Prompt.render`) and instructor gets no
        `context=`, so nothing is rendered twice and the article and the prior
        turns are never read as template text; the checker reaches the
        validator through `checking()` instead.
        """
        check = ArticleCheck(article.text, window)

        async def send(**kwargs: Any):
            return await self.transport.send(log, **kwargs)

        hooks = Hooks()
        hooks.on("parse:error", lambda error, **_: log.note(error=str(error)[:MAX_ERROR_CHARS]))
        create = instructor.patch(create=send, mode=self.settings.instructor_mode)
        remaining = self.settings.token_budget - log.tokens()
        reasks = self.settings.reasks if reasks is None else reasks
        options: dict[str, Any] = {"model": self.model, "temperature": 0}
        if self.settings.max_output_tokens:
            options["max_tokens"] = self.settings.max_output_tokens
        if remaining > 0:
            options["token_budget"] = remaining
        first = len(log.attempts)
        log.window = list(window)
        messages = self.prompt.render(**self.context(article, window))
        messages += [{"role": role, "content": text} for role, text in prior or []]
        try:
            with checking(check):
                await create(
                    response_model=CheckedExtraction,
                    messages=messages,
                    max_retries=reasks if remaining > 0 else 0,
                    strict=False,
                    hooks=hooks,
                    **options,
                )
        except InstructorError as error:
            return self._last_readable(article.text, window, log, first, error)
        assert check.report is not None  # the validator ran on the accepted answer
        log.responses()[-1].update(stored=True, unresolved=[])
        return check.report

    def _last_readable(
        self, text: str, window: Span, log: CallLog, first: int, error: Exception
    ) -> CheckReport:
        """After the last attempt: keep the newest answer that holds any JSON."""
        for entry in reversed(log.attempts[first:]):
            if entry["kind"] != "response":
                continue
            report = report_from_answer(text, answer_text(entry["raw"]), window)
            if report is not None:
                entry.update(stored=True, unresolved=[str(p) for p in report.problems])
                return report
        cause = error.__cause__ or error  # instructor wraps the transport's final error
        raise ExtractionFailed(f"{type(cause).__name__}: {cause}"[:MAX_ERROR_CHARS])

    async def aclose(self) -> None:
        await self.client.close()
