"""Rows of the append-only claim history, shared by loads and reviews."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def history_row(
    claim_id: str,
    stamp: str,
    actor: str,
    action: str,
    field_name: str | None,
    old: Any,
    new: Any,
    reason: str | None,
    evidence_url: str | None = None,
) -> dict[str, Any]:
    return {
        "claim_id": claim_id,
        "changed_at": stamp,
        "changed_by": actor,
        "action": action,
        "field": field_name,
        "old_value": _text(old),
        "new_value": _text(new),
        "reason": reason,
        "evidence_url": evidence_url,
    }


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value)
