"""Signals beyond a claim's words: the names it mentions, its quantities, its event.

Names: without a registry the matcher knows no entities, so the capitalised names of an
English claim ("Hillary Clinton", "New Hampshire", "Muslims") stand in for them, one term
per word. Quantities: a number with its dimension (money, share, count), one value
whatever the notation ("$15 million", "15,000,000 dollars"; "1,500" and "1.500").
Events: what the claim says happened or was said, as a class of predicates from a small
bilingual lexicon ("won", "victory", "Sieg" are one event; "poll", "survey", "Umfrage").
"""

from __future__ import annotations

import re
from functools import lru_cache

# Event classes: stem prefixes (English and German Snowball stems, folded) of verbs and
# nouns that report the same kind of event in news about politics and conflicts.
EVENTS: dict[str, tuple[str, ...]] = {
    event: tuple(stems.split())
    for event, stems in {
        "win": "win won victori triumph sieg siegt gewonn gewinn",
        "lose": "lose lost defeat niederlag verlor verlier",
        "poll": "poll survey umfrag befragt",
        "lead": "lead ahead trail vorsprung",
        "endorse": "endors unterstutz befurwort",
        "ban": "ban bar barr prohibit verbot verbiet untersagt",
        "admit": "admit allow zulass aufnahm aufgenomm erlaubt",
        "resign": "resign rucktritt zurucktret zuruckgetret",
        "accuse": "accus alleg vorwurf vorgeworf beschuldig",
        "investigate": "investig probe inquiri ermittl untersuch",
        "charge": "charg indict prosecut anklag angeklagt",
        "hack": "hack leak breach",
        "casualties": "kill dead death wound injur casualti getotet verletzt todesopf",
        "capture": "captur seiz arrest detain festgenomm festnahm gefangen erobert",
        "vote": "vote ballot abstimm",
        "fundraising": "fundrais donat spend spent spende",
        "nomination": "nomin deleg",
        "pay": "pay paid bezahl",
        "meeting": "meet talk treff gesprach",
        "threat": "threat warn droh",
    }.items()
}

_EVENT_OF = {stem: event for event, stems in EVENTS.items() for stem in stems}


@lru_cache(maxsize=200_000)
def event_of(stem: str) -> str | None:
    """The event of the longest lexicon stem the word's stem starts with, if any."""
    for size in range(min(len(stem), 12), 2, -1):
        event = _EVENT_OF.get(stem[:size])
        if event:
            return event
    return None


# Spellings of one country or union in English news: one name term.
_SAME_NAME_AS = {
    "us": "USA",
    "usa": "USA",
    "united states": "USA",
    "uk": "UK",
    "united kingdom": "UK",
    "eu": "EU",
    "european union": "EU",
}
_SAME_NAME = re.compile(
    r"\b(?:U\.S\.A\.|U\.S\.|USA|United States|U\.K\.|United Kingdom|E\.U\.|European Union)"
    r"(?=\W|$)|\bU\.S(?=\W|$)"
)
_TOKEN = re.compile(r"[^\W\d_][\w’'.-]*[\w.]|[^\W\d_]|[.!?:;\"“”‘(—–]")
_HONORIFICS = {"mr", "mrs", "ms", "dr", "gov", "sen", "rep", "gen", "sir", "st", "jr"}
_LINKS = {"of", "de", "van", "von", "al", "bin"}
# Words that open sentences and clauses: capitalised there, but no names.
OPENERS = set(
    """
    i we you my our your us me him although though however if when whether while because
    since unless until yet so then here there where how why now today yesterday tomorrow
    yes no maybe perhaps just even only more most much many few all every each any both
    neither either nobody nothing everyone everybody something let look compare like well
    oh thank thanks please mrs mr ms dr
    """.split()
)


def name_words(text: str, stop: set[str]) -> list[str]:
    """Lower-cased words of the English names in the text ("Mr. Trump's" -> ["trump"]).

    Capitalised words are names, runs of them one name ("Donald Trump"), except function
    words and common openers of sentences at the start ("Though", "Then Lisbon").
    """
    text = _SAME_NAME.sub(lambda m: _SAME_NAME_AS[m.group(0).lower().replace(".", "")], text)
    words: list[str] = []
    run: list[str] = []

    def close() -> None:
        parts = [re.sub(r"(?:['’]s?|\.)$", "", p).lower() for p in run]
        while parts and parts[-1] in _LINKS:
            parts.pop()
        parts = [p.replace(".", "") for p in parts if p not in _HONORIFICS and p not in _LINKS]
        while parts and (parts[0] in stop or parts[0] in OPENERS):
            parts.pop(0)  # "Then Lisbon said": the opener is no part of the name
        words.extend(p for p in parts if len(p) >= 2 and p not in stop)
        run.clear()

    for token in _TOKEN.findall(text):
        if not token[0].isalpha():
            close()
            continue
        if token[0].isupper() or (run and token.lower() in _LINKS):
            run.append(token)
            bare = token.rstrip(".").lower()
            if token.endswith(".") and bare not in _HONORIFICS and len(bare) > 1:
                close()  # the word ends a sentence
            continue
        close()
    close()
    return words


_SCALE = {
    "thousand": 1e3,
    "tausend": 1e3,
    "million": 1e6,
    "millionen": 1e6,
    "mio": 1e6,
    "billion": 1e9,
    "milliarden": 1e9,
    "mrd": 1e9,
}
_QUANTITY = re.compile(
    # The look-ahead lets the scan skip every position where no quantity can start.
    r"(?=[$€£\d])(?P<currency>[$€£])?\s?(?P<number>\d+(?:[.,]\d+)*)(?:\s?(?P<scale>thousand|tausend|"
    r"million|millionen|mio|billion|milliarden|mrd)\b\.?)?\s?(?P<unit>%|percent|per cent|"
    r"prozent|percentage points?|prozentpunkte|dollars?|euros?|euro)?",
    re.I,
)


def _number(text: str, language: str) -> float | None:
    """'1,500' and '1.500' (German) are 1500; '2.5' (English) and '2,5' (German) are 2.5."""
    thousands, decimal = (".", ",") if language == "de" else (",", ".")
    groups = text.split(thousands)
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
        text = "".join(groups)
    elif len(groups) > 1:
        return None  # "1,5,6" and the like: not a number
    try:
        return float(text.replace(decimal, "."))
    except ValueError:
        return None


def quantities(text: str, language: str) -> set[str]:
    """A claim's quantities as 'dimension=value' ('share=65', 'money=15000000', 'count=22').

    Years (a bare four-digit number from 1900 to 2099) are dates, not quantities.
    """
    found = set()
    for match in _QUANTITY.finditer(text):
        value = _number(match.group("number"), language)
        if value is None:
            continue
        unit = (match.group("unit") or "").lower()
        scale = (match.group("scale") or "").lower()
        if scale:
            value *= _SCALE[scale]
        if match.group("currency") or unit.startswith(("dollar", "euro")):
            dimension = "money"
        elif unit:
            dimension = "share"
        elif not scale and 1900 <= value <= 2099 and value == int(value):
            continue
        else:
            dimension = "count"
        found.add(f"{dimension}={value:g}")
    return found
