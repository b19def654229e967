"""Hook specifications other packages implement to add claim extractors and importers."""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

from pluggy import HookspecMarker

hookspec = HookspecMarker("datasette")


@hookspec
def register_claim_extractors(datasette: Any) -> Any:
    """Return a list of claim extractors (or an awaitable returning one).

    An extractor turns a document's text into attributed claims; see
    datasette_claims.extract for the interface.
    """


@hookspec
def register_claim_importers(datasette: Any) -> Any:
    """Return a list of claim importers (ClaimReview, CSV, ...) for `datasette claims load`."""


def collect(hook_name: str, datasette: Any = None) -> list[Any]:
    """Every item the plugins return from one of our register_* hooks, in order.

    Hooks may return a list or an awaitable; called from the CLI, an awaitable is run.
    """
    import asyncio
    import inspect

    from datasette.plugins import pm

    async def wait(awaitable: Awaitable[Any]) -> Any:
        return await awaitable

    found: list[Any] = []
    for result in getattr(pm.hook, hook_name)(datasette=datasette):
        if inspect.isawaitable(result):
            result = asyncio.run(wait(result))
        if result:
            found.extend(result)
    return found
