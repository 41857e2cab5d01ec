"""The offline rules backend (lexicons in `lexicons/`, rules in the modules beside)."""

from extractor.rules.backend import RulesBackend, extract_records

__all__ = ["RulesBackend", "extract_records"]
