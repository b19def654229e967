"""Counts by status as one small stacked bar, an inline SVG drawn on the server.

No JavaScript: it reads the same in a published read-only copy and in a feed reader.
Each segment has a <title> (its tooltip) and the whole bar an accessible label, so the
figures are never in the colours alone.
"""

from __future__ import annotations

from markupsafe import Markup, escape

WIDTH, HEIGHT = 300, 14
# The badges' border colours: the bar and the badges beside it read as one key.
COLOURS = {
    "unverified": "#90a4ae",
    "corroborated": "#64b5f6",
    "disputed": "#ffa726",
    "confirmed": "#66bb6a",
    "refuted": "#e57373",
    "retracted": "#ba68c8",
}


def status_bar_svg(counts: dict[str, int], labels: dict[str, str]) -> Markup | None:
    """A bar whose segments are proportional to `counts`; None when nothing is counted."""
    total = sum(n for n in counts.values() if n > 0)
    if not total:
        return None
    spoken = ", ".join(
        f"{labels.get(status, status)} {n:,}" for status, n in counts.items() if n > 0
    )
    label = escape("Claims by status: " + spoken)
    parts = [
        f'<svg class="claims-status-bar" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'preserveAspectRatio="none" role="img" aria-label="{label}">'
    ]
    x = 0.0
    for status, n in counts.items():
        if n <= 0:
            continue
        width = WIDTH * n / total
        share = 100 * n / total
        title = f"{labels.get(status, status)}: {n:,} ({share:.0f} %)"
        parts.append(
            f'<rect class="claims-bar-{escape(status)}" x="{x:.2f}" y="0" width="{width:.2f}" '
            f'height="{HEIGHT}" fill="{COLOURS.get(status, "#bdbdbd")}">'
            f"<title>{escape(title)}</title></rect>"
        )
        x += width
    parts.append("</svg>")
    return Markup("".join(parts))
