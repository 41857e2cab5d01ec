"""The LLM backend: an OpenAI-compatible model fills the codebook's schemas, athar grounds
and checks every value, re-asks when the model is wrong, and records what each call cost."""
