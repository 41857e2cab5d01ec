"""A dry run's forecast of tokens and cost, from text lengths alone (no tokenizer, no calls).

Rough by design: it answers "minutes or hours, cents or dollars?" before a
large run. Arabic news runs about three characters a token in current OpenAI
tokenizers; an answer with its quotes is about half as long as the text it
reads. The static prompt is counted as cached after the first request.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from extractor.llm.pricing import cost_usd
from extractor.llm.settings import LLMSettings
from prompts import Prompt

CHARS_PER_TOKEN = 3.0
ANSWER_RATIO = 0.5
ANSWER_FLOOR = 60  # tokens of JSON even for an article with nothing to extract


@dataclass(frozen=True)
class Estimate:
    documents: int
    requests: int
    prompt_tokens: int
    cached_tokens: int
    completion_tokens: int
    cost_usd: float
    batch_cost_usd: float


def windows_for(length: int, size: int, overlap: int) -> int:
    return 1 if length <= size else math.ceil((length - overlap) / (size - overlap))


def estimate(prompt: Prompt, settings: LLMSettings, lengths: Iterable[int]) -> Estimate:
    static = sum(len(content) for _, content in prompt.messages) / CHARS_PER_TOKEN
    documents = requests = prompt_tokens = cached = completion = 0
    for length in lengths:
        documents += 1
        n = windows_for(length, settings.chunk_chars, settings.chunk_overlap)
        article = (length + (n - 1) * settings.chunk_overlap) / CHARS_PER_TOKEN
        prompt_tokens += round(n * static + article)
        cached += round(n * static) if requests else round((n - 1) * static)
        completion += round(max(ANSWER_RATIO * article, ANSWER_FLOOR * n))
        requests += n
    model = settings.model
    return Estimate(
        documents=documents,
        requests=requests,
        prompt_tokens=prompt_tokens,
        cached_tokens=cached,
        completion_tokens=completion,
        cost_usd=cost_usd(model, prompt_tokens, completion, cached),
        # Counted without a caching discount on top of the half price (conservative).
        batch_cost_usd=cost_usd(model, prompt_tokens, completion, 0, batch=True),
    )
