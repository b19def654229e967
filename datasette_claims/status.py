"""Claim statuses, and a proposition's status derived from its claims (never typed in)."""

from __future__ import annotations

from collections.abc import Iterable

from .schema import STATUSES

__all__ = ["STATUSES", "STATUS_LABELS", "derive_proposition_status", "SUPPORTING", "OPPOSING"]

STATUS_LABELS = {
    "unverified": "Unverified",
    "corroborated": "Corroborated",
    "disputed": "Disputed",
    "confirmed": "Confirmed",
    "refuted": "Refuted",
    "retracted": "Retracted",
}

# Stances that count for and against a proposition. "expects" is a forecast and
# "uncertain" takes no side, so neither corroborates nor disputes.
SUPPORTING = {"asserts"}
OPPOSING = {"denies"}


def derive_proposition_status(stances_by_group: dict[str, Iterable[str]]) -> str:
    """Status of a proposition from the stances each independent institution takes.

    disputed: one institution asserts and another denies;
    corroborated: at least two independent institutions assert;
    unverified: anything less.
    """
    asserting = {g for g, stances in stances_by_group.items() if SUPPORTING & set(stances)}
    denying = {g for g, stances in stances_by_group.items() if OPPOSING & set(stances)}
    if any(a != d for a in asserting for d in denying):
        return "disputed"
    if len(asserting) >= 2:
        return "corroborated"
    return "unverified"
