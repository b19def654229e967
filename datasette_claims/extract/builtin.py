"""The built-in German and English extractors, as a plugin like any other.

The package registers this module with Datasette's plugin manager (as llm registers
its default plugins), so the built-ins and third-party extractors go through one hook.
"""

from __future__ import annotations

from importlib.util import find_spec
from typing import Any

from datasette import hookimpl

from datasette_claims.extract import Extractor, builtin_extractors


@hookimpl
def register_claim_extractors(datasette: Any) -> list[Extractor]:
    found = builtin_extractors()
    if find_spec("llm") is not None:  # the [llm] extra: opt-in, chosen by name
        from datasette_claims.extract.llm import LLMExtractor

        found.append(LLMExtractor())
    return found
