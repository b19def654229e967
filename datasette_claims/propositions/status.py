"""The status rules, pure: a proposition's status from its claims, and theirs from it.

Never typed in: people review claims, and these rules derive everything else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from datasette_claims.model import OPPOSING, SUPPORTING

_FOLLOWS_A_VERDICT = frozenset(SUPPORTING | {"expects"})  # takes a decided status
_TAKES_A_SIDE = frozenset(SUPPORTING | OPPOSING)
_OPPOSITE = {"confirmed": "refuted", "refuted": "confirmed"}


def derive_proposition_status(
    stances_by_group: Mapping[str, Iterable[str]],
    vouched_by_group: Mapping[str, Iterable[str]] | None = None,
) -> str:
    """Status of a proposition from the stances each independent institution takes.

    disputed: one institution asserts and another denies (any source's claims);
    corroborated: at least two independent institutions assert through registry or
    confirmed sources (`vouched_by_group`, by default every group's stances): a
    suggested source never corroborates;
    unverified: anything less.
    """
    asserting = {g for g, stances in stances_by_group.items() if SUPPORTING & set(stances)}
    denying = {g for g, stances in stances_by_group.items() if OPPOSING & set(stances)}
    if any(a != d for a in asserting for d in denying):
        return "disputed"
    if vouched_by_group is None:
        vouched_by_group = stances_by_group
    vouching = {g for g, stances in vouched_by_group.items() if SUPPORTING & set(stances)}
    if len(vouching) >= 2:
        return "corroborated"
    return "unverified"


def vouched(claim: dict[str, Any]) -> bool:
    """Whether a person stands behind the claim's source: the curated registry, or a
    suggested source someone confirmed. Machine suggestions never corroborate."""
    return claim.get("source_origin") != "suggested"


def evidence_status(claims: list[dict[str, Any]]) -> str:
    """What the sources alone make of a proposition: disputed, corroborated, unverified."""
    return derive_proposition_status(
        stances_by_institution(claims), stances_by_institution(claims, vouched_only=True)
    )


def _verdict(claim: dict[str, Any]) -> str | None:
    """What a reviewed claim says about its proposition: confirmed, refuted or nothing.

    Confirming an assertion confirms the proposition; confirming a denial refutes it.
    """
    status, stance = claim.get("status"), claim["stance"]
    if status not in ("confirmed", "refuted"):
        return None
    if stance in OPPOSING:
        return "refuted" if status == "confirmed" else "confirmed"
    if stance in SUPPORTING or stance == "expects":
        return status
    return None


def stances_by_institution(
    claims: list[dict[str, Any]], vouched_only: bool = False
) -> dict[str, set[str]]:
    """The stances each independent institution takes, as corroboration counts them.

    An outlet narrating in its own voice reports what others do: it takes no stance here.
    A claim with no source is no institution at all: it never counts, for corroboration or
    for disagreement. `vouched_only` leaves out claims of suggested sources.
    """
    found: dict[str, set[str]] = {}
    for claim in claims:
        key = claim.get("independence_group") or claim.get("source_id")
        if not key or (vouched_only and not vouched(claim)):
            continue
        group = found.setdefault(key, set())
        if claim.get("source_kind") != "outlet":
            group.add(claim["stance"])
    return found


def _imported_view(claim: dict[str, Any]) -> dict[str, Any]:
    """The claim as its latest imported verdict judges it (it has one)."""
    return {**claim, "status": claim["imported_status"], "reviewed_at": claim.get("imported_at")}


def derive_statuses(claims: list[dict[str, Any]]) -> tuple[str, dict[str, str]]:
    """A proposition's status and the automatic status of each of its unreviewed claims.

    The latest review by a person that confirms or refutes a claim decides the
    proposition (confirmed or refuted). Without one, the latest imported fact-check
    verdict that does decides it: imported verdicts are evidence, ranked below every
    person's review whatever their dates. Without either, the evidence decides: disputed
    when independent institutions disagree, corroborated when two or more assert through
    registry or confirmed sources (suggested sources never corroborate).
    Retracted claims no longer count. Reviewed claims keep the status people gave them;
    a claim with an imported verdict takes that verdict's status; the others follow the
    proposition: on a decided proposition its assertions take the verdict and its
    denials the opposite; on a disputed one every claim that takes a side is disputed;
    on a corroborated one the assertions are corroborated.
    """
    counted = [c for c in claims if c.get("status") != "retracted"]
    reviewed = [c for c in counted if c.get("reviewed_at") and _verdict(c)]
    judged = [j for c in counted if c.get("imported_status") and _verdict(j := _imported_view(c))]
    if reviewed:
        latest = max(reviewed, key=lambda c: (c["reviewed_at"], c["id"]))
        status = _verdict(latest) or "unverified"
    elif judged:
        latest = max(judged, key=lambda c: (c["reviewed_at"] or "", c["id"]))
        status = _verdict(latest) or "unverified"
    else:
        status = evidence_status(counted)
    opposite = _OPPOSITE
    derived = {}
    for claim in claims:
        if claim.get("reviewed_at"):
            continue
        if claim.get("status") == "retracted" and not claim.get("imported_status"):
            continue  # withdrawn (an edited row superseded it): stays so, counted for nothing
        stance = claim["stance"]
        if claim.get("imported_status"):
            derived[claim["id"]] = claim["imported_status"]
        elif status in opposite and stance in _FOLLOWS_A_VERDICT:
            derived[claim["id"]] = status
        elif status in opposite and stance in OPPOSING:
            derived[claim["id"]] = opposite[status]
        elif status == "disputed" and stance in _TAKES_A_SIDE:
            derived[claim["id"]] = "disputed"
        elif status == "corroborated" and stance in SUPPORTING:
            derived[claim["id"]] = "corroborated"
        else:
            derived[claim["id"]] = "unverified"
    return status, derived
