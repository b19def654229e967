"""Importers and exporters: claims that others published, and our claims for others.

Importers (ClaimReview, ClaimsKG, LIAR, plain CSV/JSON, extraction shards) register
through the `register_claim_importers` hook, the built-ins included. Each turns one file
into an `ImportBatch` of rows the loader writes like any other input.
"""

from __future__ import annotations

from typing import Any

from datasette_claims.formats.base import Importer


def builtin_importers() -> list[Importer]:
    from datasette_claims.formats.claimreview import ClaimReviewImporter
    from datasette_claims.formats.claimskg import ClaimsKGImporter
    from datasette_claims.formats.liar import LiarImporter
    from datasette_claims.formats.plain import PlainImporter
    from datasette_claims.formats.shards import ExtractedShardImporter

    return [
        ExtractedShardImporter(),
        ClaimReviewImporter(),
        ClaimsKGImporter(),
        LiarImporter(),
        PlainImporter(),
    ]


def registered_importers(datasette: Any = None) -> list[Importer]:
    """Every importer plugins register (the built-ins included), in registration order."""
    from datasette_claims.hookspecs import collect

    return collect("register_claim_importers", datasette)
