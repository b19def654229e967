"""The comparison page's timeline: an inline SVG drawn on the server.

Figures by their as-of date (forecasts hollow), and claims by the date they were made,
coloured by stance. No JavaScript, so it works the same in a published read-only copy.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 250
LEFT, RIGHT, TOP = 70, 60, 20
FIGURE_BOTTOM = 150  # y of the figures' zero line
CLAIMS_Y = 195  # lane of claims by date
AXIS_Y = 225


def _day(value: str | None) -> date | None:
    """ISO dates at any precision ('2024', '2024-12', '2024-12-01', with time) as a day."""
    if not value:
        return None
    text = value[:10]
    parts = text.split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 1
        day = int(parts[2]) if len(parts) > 2 else 1
        return date(year, month, day)
    except (ValueError, IndexError):
        return None


def _tick_label(tick: date, exact: set[date | None]) -> str:
    """A month start that no full date names is the month ("2024-12"), not its first day."""
    return tick.isoformat()[:7] if tick.day == 1 and tick not in exact else tick.isoformat()


def _label(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def timeline_svg(claims: list[dict[str, Any]]) -> Markup | None:
    """SVG markup for the claims of one proposition, or None when no claim has a date."""
    figures: list[tuple[dict[str, Any], date]] = []
    for c in claims:
        as_of = _day(c.get("figure_as_of")) if c.get("figure_value") is not None else None
        if as_of is not None:
            figures.append((c, as_of))
    dated: list[tuple[dict[str, Any], date]] = []
    for c in claims:
        made = _day(c.get("claimed_at"))
        if made is not None:
            dated.append((c, made))
    days = [d for _, d in figures] + [d for _, d in dated]
    # Days a value names exactly; "2024-12" is a month, drawn at its first day.
    exact = {
        _day(v)
        for c in claims
        for v in (c.get("figure_as_of"), c.get("claimed_at"))
        if v and len(v) >= 10
    }
    if not days:
        return None
    first, last = min(days), max(days)
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        if first == last:
            return LEFT + (WIDTH - LEFT - RIGHT) / 2
        return LEFT + (day - first).days / span * (WIDTH - LEFT - RIGHT)

    top_value = max((float(c["figure_value"]) for c, _ in figures), default=0) or 1

    def y(value: float) -> float:
        return FIGURE_BOTTOM - float(value) / (top_value * 1.15) * (FIGURE_BOTTOM - TOP)

    # Without figures only the claims' lane is drawn: no empty chart above it.
    shift = 0 if figures else CLAIMS_Y - 40
    height = HEIGHT - shift
    parts: list[str] = [
        f'<svg class="claims-timeline" viewBox="0 {shift} {WIDTH} {height}" role="img" '
        'aria-labelledby="claims-tl-title" xmlns="http://www.w3.org/2000/svg">',
        '<title id="claims-tl-title">Timeline: figures by as-of date and claims by the date '
        "they were made</title>",
    ]
    if figures:
        parts.append(
            f'<line class="claims-tl-axis" x1="{LEFT}" y1="{FIGURE_BOTTOM}" '
            f'x2="{WIDTH - RIGHT}" y2="{FIGURE_BOTTOM}"/>'
        )
        parts.append(
            f'<text class="claims-tl-label" x="{LEFT - 8}" y="{TOP + 4}" text-anchor="end">'
            f"{escape(_label(top_value))}</text>"
        )
        by_source: dict[str, list[tuple[float, float]]] = {}
        for claim, day in sorted(figures, key=lambda item: item[1]):
            by_source.setdefault(claim.get("source_id") or "", []).append(
                (x(day), y(claim["figure_value"]))
            )
        for points in by_source.values():
            if len(points) > 1:
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
                parts.append(f'<polyline class="claims-tl-line" points="{path}"/>')
        for claim, day in figures:
            forecast = " claims-tl-forecast" if claim.get("figure_is_forecast") else ""
            cx, cy = x(day), y(claim["figure_value"])
            who = claim.get("source_name") or "unattributed"
            text = f"{_label(claim['figure_value'])} {claim.get('figure_unit') or ''}".strip()
            tip = f"{text}, as of {claim.get('figure_as_of')} ({who})"
            parts.append(
                f'<circle class="claims-tl-figure{forecast}" cx="{cx:.1f}" cy="{cy:.1f}" r="5">'
                f"<title>{escape(tip)}</title></circle>"
            )
            # Labels sit on the side with room: right of points in the left half.
            right_half = cx > LEFT + (WIDTH - LEFT - RIGHT) / 2
            anchor, lx = ("end", cx - 8) if right_half else ("start", cx + 8)
            parts.append(
                f'<text class="claims-tl-label" x="{lx:.1f}" y="{cy - 8:.1f}" '
                f'text-anchor="{anchor}">{escape(text)} · {escape(who)}</text>'
            )
    parts.append(
        f'<text class="claims-tl-label" x="{LEFT - 8}" y="{CLAIMS_Y + 4}" '
        'text-anchor="end">claims</text>'
    )
    same_day: dict[date, int] = {}
    for _, day in dated:
        same_day[day] = same_day.get(day, 0) + 1
    placed: dict[date, int] = {}
    for claim, day in sorted(dated, key=lambda item: (item[1], item[0].get("stance") or "")):
        stance = escape(claim.get("stance") or "asserts")
        who = claim.get("source_name") or claim.get("speaker") or "unattributed"
        tip = f"{who} {claim.get('stance')}, {day.isoformat()}"
        # Claims made on one day sit side by side, not on top of each other.
        k, n = placed.get(day, 0), same_day[day]
        placed[day] = k + 1
        # The day's row of marks stays inside the axis, clear of the lane's label.
        centre = min(max(x(day), LEFT + 4 + (n - 1) * 5), WIDTH - RIGHT - 4 - (n - 1) * 5)
        cx = centre + (k - (n - 1) / 2) * 10
        parts.append(
            f'<rect class="claims-tl-claim claims-tl-{stance}" x="{cx - 4:.1f}" '
            f'y="{CLAIMS_Y - 6}" width="8" height="12" tabindex="0" '
            f'aria-label="{escape(tip)}"><title>{escape(tip)}</title></rect>'
        )
    parts.append(
        f'<line class="claims-tl-axis" x1="{LEFT}" y1="{AXIS_Y}" '
        f'x2="{WIDTH - RIGHT}" y2="{AXIS_Y}"/>'
    )
    ticks = {first, last} | {d.replace(day=1) for d in days if first < d.replace(day=1) < last}
    for tick in sorted(ticks):
        anchor = "start" if tick == first and first != last else "end" if tick == last else "middle"
        if first == last:
            anchor = "middle"
        parts.append(
            f'<text class="claims-tl-label" x="{x(tick):.1f}" y="{AXIS_Y + 16}" '
            f'text-anchor="{anchor}">{escape(_tick_label(tick, exact))}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))
