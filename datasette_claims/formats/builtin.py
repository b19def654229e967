"""The built-in importers (ClaimReview, ClaimsKG, LIAR, CSV, shards), as a plugin.

The package registers this module with Datasette's plugin manager (as llm registers
its default plugins), so the built-ins and third-party importers go through one hook.
"""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from datasette_claims.formats import builtin_importers
from datasette_claims.formats.base import Importer


@hookimpl
def register_claim_importers(datasette: Any) -> list[Importer]:
    return builtin_importers()
