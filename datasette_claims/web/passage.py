"""Cut the passage around a claim's span so a page can show it in context."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class Passage:
    before: str
    claim: str
    after: str
    start: int
    end: int

    def as_dict(self) -> dict:
        return asdict(self)


def passage_around(text: str, start: int, end: int, context: int = 400) -> Passage:
    """The paragraph(s) holding text[start:end], trimmed to `context` characters each side."""
    para_start = text.rfind("\n\n", 0, start)
    para_start = 0 if para_start == -1 else para_start + 2
    para_end = text.find("\n\n", end)
    para_end = len(text) if para_end == -1 else para_end
    para_start = max(para_start, start - context)
    para_end = min(para_end, end + context)
    return Passage(
        text[para_start:start], text[start:end], text[end:para_end], para_start, para_end
    )
