"""datasette-claims: attributed claims from news reporting, their status and comparison."""

from __future__ import annotations

from datasette import hookimpl
from datasette.plugins import pm

from . import hookspecs

pm.add_hookspecs(hookspecs)


@hookimpl
def register_commands(cli):  # type: ignore[no-untyped-def]
    from .cli import register

    register(cli)
