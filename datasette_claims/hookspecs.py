"""Hook specifications other packages implement to add claim extractors and importers."""

from __future__ import annotations

from pluggy import HookspecMarker

hookspec = HookspecMarker("datasette")


@hookspec
def register_claim_extractors(datasette):  # type: ignore[no-untyped-def]
    """Return a list of claim extractors (or an awaitable returning one).

    An extractor turns a document's text into attributed claims; see
    datasette_claims.extract for the interface.
    """


@hookspec
def register_claim_importers(datasette):  # type: ignore[no-untyped-def]
    """Return a list of claim importers (ClaimReview, CSV, ...) for `datasette claims load`."""
