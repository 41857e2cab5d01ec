"""The prompt as the LLM backend uses it: the shipped template with the codebook's lists filled in.

The lists come from `schemas` so the prompt never drifts from the validators:
an actor added to `schemas.actors` reaches the model, and changes the prompt
version, without editing the template.
"""

from functools import cache

from prompts import DEFAULT_PROMPT, Prompt, load_prompt
from schemas.actors import CANONICAL_ACTORS


def actors_block() -> str:
    """One line per canonical actor with its Arabic aliases."""
    return "\n".join(
        f"- {name}: {'، '.join(aliases)}" for name, aliases in CANONICAL_ACTORS.items()
    )


@cache
def extraction_prompt(name: str = DEFAULT_PROMPT) -> Prompt:
    return load_prompt(name, {"actors": actors_block()})
