"""Cross-source comparison of one proposition: who says what, and where they disagree."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from datasette_claims.model import OPPOSING, SUPPORTING, canonical_unit
from datasette_claims.propositions.status import evidence_status, stances_by_institution, vouched


@dataclass
class InstitutionGroup:
    """The claims of one independent institution (a source and everything under it)."""

    id: str
    name: str
    claims: list[dict[str, Any]] = field(default_factory=list)

    @property
    def stances(self) -> list[str]:
        return sorted({c["stance"] for c in self.claims})

    @property
    def sources(self) -> list[dict[str, Any]]:
        """One entry per source in this institution, with its claims, most claims first."""
        by_source: dict[str | None, dict[str, Any]] = {}
        for claim in self.claims:
            entry = by_source.setdefault(
                claim.get("source_id"),
                {
                    "id": claim.get("source_id"),
                    "name": claim.get("source_name"),
                    "role": claim.get("source_role"),
                    "kind": claim.get("source_kind"),
                    "origin": claim.get("source_origin"),
                    # Named only by a common noun in this document: which one?
                    "document_id": claim.get("source_document_id"),
                    "claims": [],
                },
            )
            entry["claims"].append(claim)
        for entry in by_source.values():
            entry["stances"] = sorted({c["stance"] for c in entry["claims"]})
            entry["figures"] = [
                c
                for c in entry["claims"]
                if c.get("figure_value") is not None or c.get("figure_text")
            ]
        return sorted(by_source.values(), key=lambda e: (-len(e["claims"]), e["name"] or ""))

    @property
    def counted_stances(self) -> list[str]:
        """Stances that count towards corroboration.

        An outlet narrating in its own voice reports what others do; it does not
        corroborate them, so its claims are shown but not counted. Nor does a suggested
        source until a person confirms it.
        """
        return sorted({c["stance"] for c in self.claims if _counts(c) and vouched(c)})

    @property
    def suggested_stances(self) -> list[str]:
        """Stances taken only through suggested sources (shown, not yet counted)."""
        return sorted(
            {c["stance"] for c in self.claims if _counts(c) and not vouched(c)}
            - set(self.counted_stances)
        )


@dataclass
class Disagreement:
    kind: str  # "stance" or "figure"
    message: str
    claim_ids: list[str]


@dataclass
class Comparison:
    groups: list[InstitutionGroup]
    status: str
    disagreements: list[Disagreement]
    figures: list[dict[str, Any]]
    # Claims with no source: shown with their speaker's words, never counted as an
    # institution, for corroboration or disagreement.
    unattributed: list[dict[str, Any]] = field(default_factory=list)

    # Suggested sources whose confirmation would change the status (see confirmations()).
    confirmations: list[dict[str, Any]] = field(default_factory=list)

    @property
    def independent_asserting(self) -> list[str]:
        return [g.name for g in self.groups if SUPPORTING & set(g.counted_stances)]

    @property
    def suggested_asserting(self) -> list[str]:
        """Institutions that assert only through suggested sources: not counted yet."""
        return [g.name for g in self.groups if SUPPORTING & set(g.suggested_stances)]

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "independent_institutions": len(self.groups),
            "asserting_institutions": self.independent_asserting,
            "suggested_asserting_institutions": self.suggested_asserting,
            "confirmations": self.confirmations,
            "groups": [
                {"id": g.id, "name": g.name, "stances": g.stances, "sources": g.sources}
                for g in self.groups
            ],
            "unattributed": [{**c, "speaker": c.get("speaker") or None} for c in self.unattributed],
            "disagreements": [vars(d) for d in self.disagreements],
            "figures": self.figures,
            "figure_ranges": figure_ranges(self.figures),
        }


def compare(claims: list[dict[str, Any]]) -> Comparison:
    """Group claims by independent institution and flag stance and figure conflicts.

    Each claim dict needs: id, stance, source_kind, independence_group, group_name,
    figure_value, figure_unit, figure_as_of, figure_is_forecast.
    """
    groups: dict[str, InstitutionGroup] = {}
    unattributed = []
    for claim in claims:
        key = claim.get("independence_group") or claim.get("source_id")
        if not key:
            unattributed.append(claim)
            continue
        group = groups.setdefault(key, InstitutionGroup(key, claim.get("group_name") or key))
        group.claims.append(claim)
    ordered = sorted(groups.values(), key=lambda g: (-len(g.claims), g.name))
    status = evidence_status(claims)
    attributed = [c for group in ordered for c in group.claims]
    disagreements = _stance_conflicts(ordered) + _figure_conflicts(attributed)
    figures = sorted(
        (c for c in claims if c.get("figure_value") is not None or c.get("figure_text")),
        key=lambda c: (c.get("figure_as_of") or "", c.get("figure_value") or 0),
    )
    return Comparison(ordered, status, disagreements, figures, unattributed, confirmations(claims))


def confirmations(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What confirming suggested sources would change: each source whose confirmation
    alone changes the status the sources give, or else the fewest, in page order, that
    together would.

    Each entry: {"sources": [{"id", "name"}], "status": the status it would give,
    "message": "confirming X would make this corroborated"}.
    """
    current = evidence_status(claims)
    suggested: dict[str, str] = {}
    for claim in claims:
        if claim.get("source_id") and not vouched(claim):
            suggested.setdefault(claim["source_id"], claim.get("source_name") or claim["source_id"])

    def with_confirmed(confirmed: set[str]) -> list[dict[str, Any]]:
        return [
            {**c, "source_origin": "confirmed"} if c.get("source_id") in confirmed else c
            for c in claims
        ]

    def status_with(confirmed: set[str]) -> str:
        return evidence_status(with_confirmed(confirmed))

    def vouching(confirmed: set[str]) -> int:
        groups = stances_by_institution(with_confirmed(confirmed), vouched_only=True)
        return sum(1 for stances in groups.values() if SUPPORTING & stances)

    found = []
    for source_id, name in suggested.items():
        status = status_with({source_id})
        if status != current:
            found.append(_confirmation([(source_id, name)], status))
    if found or len(suggested) < 2:
        return found
    chosen: list[tuple[str, str]] = []
    for source_id, name in suggested.items():
        before = {s for s, _ in chosen}
        if vouching(before | {source_id}) == vouching(before):
            continue  # adds no institution that asserts
        chosen.append((source_id, name))
        status = status_with({s for s, _ in chosen})
        if status != current:
            return [_confirmation(chosen, status)]
    return []


def _confirmation(sources: list[tuple[str, str]], status: str) -> dict[str, Any]:
    names = " and ".join(name for _, name in sources)
    return {
        "sources": [{"id": source_id, "name": name} for source_id, name in sources],
        "status": status,
        "message": f"confirming {names} would make this {status}",
    }


def _stance_conflicts(groups: list[InstitutionGroup]) -> list[Disagreement]:
    found = []
    for asserting in groups:
        for denying in groups:
            if asserting.id == denying.id:
                continue
            pro = [c for c in asserting.claims if c["stance"] in SUPPORTING and _counts(c)]
            con = [c for c in denying.claims if c["stance"] in OPPOSING and _counts(c)]
            if pro and con:
                found.append(
                    Disagreement(
                        "stance",
                        f"{denying.name} denies what {asserting.name} asserts",
                        [c["id"] for c in pro + con],
                    )
                )
    return found


def figure_ranges(figures: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per unit and as-of date: how many figures, their range and spread, who gave them.

    Different as-of dates are separate rows, a timeline rather than a conflict.
    """
    points: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for claim in figures:
        if claim.get("figure_value") is not None:
            key = (canonical_unit(claim.get("figure_unit")) or "", claim.get("figure_as_of") or "")
            points[key].append(claim)
    ranges = []
    for (unit, as_of), same in sorted(points.items(), key=lambda item: (item[0][1], item[0][0])):
        values = [float(c["figure_value"]) for c in same]
        ranges.append(
            {
                "unit": unit or None,
                "as_of": as_of or None,
                "count": len(values),
                "min": min(values),
                "max": max(values),
                "spread": max(values) - min(values),
                "forecast": any(c.get("figure_is_forecast") for c in same),
                "sources": sorted({_who(c) for c in same}),
            }
        )
    return ranges


def latest_figures(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per independent institution, its most recent reported figure and latest forecast."""
    best: dict[tuple[str, bool], dict[str, Any]] = {}
    for claim in claims:
        if claim.get("figure_value") is None or claim.get("status") == "retracted":
            continue
        institution = claim.get("independence_group") or claim.get("source_id")
        if not institution:
            continue  # no institution: not an institution's latest figure
        key = (institution, bool(claim.get("figure_is_forecast")))
        rank = (claim.get("claimed_at") or "", claim.get("figure_as_of") or "")
        current = best.get(key)
        if current is None or rank >= (current["claimed_at"] or "", current["figure_as_of"] or ""):
            best[key] = claim
    return [
        {
            "institution": c.get("group_name") or c.get("independence_group") or c.get("source_id"),
            "source": c.get("source_name"),
            "value": c["figure_value"],
            "unit": c.get("figure_unit"),
            "as_of": c.get("figure_as_of"),
            "forecast": bool(c.get("figure_is_forecast")),
            "claimed_at": c.get("claimed_at"),
            "claim_id": c["id"],
        }
        for c in sorted(
            best.values(), key=lambda c: (c.get("group_name") or "", c.get("figure_is_forecast"))
        )
    ]


def _who(claim: dict[str, Any]) -> str:
    """A source's name, or the words of a speaker no registry source stands for."""
    if claim.get("source_name"):
        return str(claim["source_name"])
    speaker = claim.get("speaker")
    return f"{speaker} (not attributed to a source)" if speaker else "unattributed"


def _counts(claim: dict[str, Any]) -> bool:
    return claim.get("source_kind") != "outlet"


def _figure_conflicts(claims: list[dict[str, Any]]) -> list[Disagreement]:
    """Different values for the same unit at the same as-of date; other dates are a timeline."""
    by_point: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for claim in claims:
        if claim.get("figure_value") is None:
            continue
        point = (canonical_unit(claim.get("figure_unit")) or "", claim.get("figure_as_of") or "")
        by_point[point].append(claim)
    found = []
    for (unit, as_of), same in sorted(by_point.items()):
        values = sorted({float(c["figure_value"]) for c in same})
        if len(values) > 1:
            shown = ", ".join(f"{v:,.0f}" for v in values)
            found.append(
                Disagreement(
                    "figure",
                    f"figures differ for {unit or 'the same quantity'} as of "
                    f"{as_of or 'an unstated date'}: {shown}",
                    [c["id"] for c in same],
                )
            )
    return found
