"""The source registry: canonical sources, their aliases and the institution they belong to."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from datasette_claims.errors import LoadError
from datasette_claims.inputs.fields import Fields
from datasette_claims.model import RELIABILITY_GRADES, SOURCE_KINDS

SOURCE_FIELDS = {
    "reliability",
    "id",
    "name",
    "kind",
    "role",
    "country",
    "parent",
    "aliases",
    "independence_group",
    "url",
    "description",
}


@dataclass
class SourceEntry:
    id: str
    name: str
    kind: str
    role: str | None = None
    country: str | None = None
    parent_id: str | None = None
    independence_group: str | None = None
    url: str | None = None
    description: str | None = None
    reliability: str | None = None
    aliases: list[tuple[str, str | None]] = field(default_factory=list)
    file: str | None = None
    line: int | None = None
    imported: bool = False  # from an importer: inserted when missing, never updates
    extra: dict[str, Any] | None = None

    def row(self, group: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "role": self.role,
            "country": self.country,
            "parent_id": self.parent_id,
            "independence_group": group,
            "declared_group": self.independence_group,
            "url": self.url,
            "description": self.description,
            "reliability": self.reliability,
            "extra": json.dumps(self.extra, ensure_ascii=False, sort_keys=True)
            if self.extra
            else None,
            "aliases": json.dumps([alias for alias, _ in self.aliases], ensure_ascii=False),
            "origin": "registry",
        }


def parse_registry(data: Any, path: str) -> list[SourceEntry]:
    """Validate a parsed `sources:` file and return its entries."""
    top = Fields(data, path, "source registry")
    entries: list[SourceEntry] = []
    seen: dict[str, int | None] = {}
    for item in top.items_of("sources"):
        f = Fields(item, path, "source", top.line("sources"))
        f.only(SOURCE_FIELDS)
        source_id = f.slug("id", required=True, defines=True)
        assert source_id is not None
        if source_id in seen:
            raise f.error(
                f"source '{source_id}' is defined twice (first on line {seen[source_id]})", "id"
            )
        seen[source_id] = f.line()
        entry = SourceEntry(
            id=source_id,
            name=f.text("name", required=True) or "",
            kind=f.choice("kind", SOURCE_KINDS),
            role=f.text("role"),
            country=f.text("country"),
            parent_id=f.slug("parent"),
            independence_group=f.slug("independence_group"),
            url=f.url("url"),
            description=f.text("description"),
            reliability=f.choice("reliability", RELIABILITY_GRADES, default="") or None,
            aliases=_aliases(f, entry_name=f.text("name") or ""),
            file=path,
            line=f.line(),
        )
        if entry.parent_id == entry.id:
            raise f.error("a source cannot be its own parent", "parent")
        entries.append(entry)
    if not entries:
        raise top.error("the source registry lists no sources", "sources")
    return entries


def _aliases(f: Fields, entry_name: str) -> list[tuple[str, str | None]]:
    raw = f.mapping.get("aliases")
    found: list[tuple[str, str | None]] = [(entry_name, None)]
    if raw is None:
        return found
    if isinstance(raw, list):
        groups: dict[str | None, Any] = {None: raw}
    elif isinstance(raw, dict):
        groups = dict(raw)
    else:
        raise f.error("aliases must be a list or a mapping of language to list", "aliases")
    for language, names in groups.items():
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise f.error(f"aliases for '{language}' must be a list of names", "aliases")
        for name in names:
            if (name.strip(), language) not in found:
                found.append((name.strip(), language))
    return found


def independence_groups(
    parents: dict[str, str | None],
    explicit: dict[str, str | None],
    located: dict[str, tuple[str | None, int | None]] | None = None,
) -> dict[str, str]:
    """Each source's independent institution: an explicit group, else the top of its chain.

    Raises LoadError on a parent cycle or a parent that does not exist, located at the
    offending source's registry entry when `located` knows it.
    """
    located = located or {}
    # Every source on a walked chain ends in the same group, so each is resolved once: a
    # walk stops at the first source already resolved. Linear in the number of sources, and
    # a loop, not recursion, however deep the chain. A resolved source's own walk went
    # through no cycle and no unknown parent, so the first walk that fails is the one that
    # failed before, with the same chain in its message.
    resolved: dict[str, str] = {}
    for source_id in parents:
        if source_id in resolved:
            continue
        chain = [source_id]
        on_chain = {source_id}
        current = source_id
        group = explicit.get(source_id)
        while group is None:
            parent = parents.get(current)
            if parent is None:
                group = current
                break
            file, line = located.get(current, (None, None))
            if parent not in parents:
                raise LoadError(
                    f"source '{current}' names unknown parent '{parent}'",
                    file=file,
                    line=line,
                    field="parent",
                )
            if parent in on_chain:
                raise LoadError(
                    "sources form a parent cycle: " + " -> ".join([*chain, parent]),
                    file=file,
                    line=line,
                    field="parent",
                )
            if parent in resolved:
                group = resolved[parent]
                break
            chain.append(parent)
            on_chain.add(parent)
            current = parent
            group = explicit.get(current)
        for member in chain:
            resolved[member] = group
    return {source_id: resolved[source_id] for source_id in parents}
