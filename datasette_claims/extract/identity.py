"""Who a suggested source is: its row, and the key that tells one person under two
spellings ("Selenskyj", "Zelensky", "Zelenskyy"; "Putin", "Poutine") from two people."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Provisional:
    """A source suggested by the text, for a person to confirm, rename or merge."""

    id: str
    name: str
    kind: str  # person | organisation (or, named by a common noun, the noun's kind)
    role: str | None
    parent_id: str | None
    # Named only by a common noun ("die Polizei"): the one document it belongs to.
    document_id: str | None = None


def slug(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.replace("ß", "ss"))
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "-", ascii_only.lower()).strip("-")


# Spellings German, English and French give the same sound (mostly transliterations from
# Cyrillic and Arabic, and umlauts written out), each with the sound it folds to; at each
# position of a word the longest spelling wins.
_FOLDS = (
    ("tsch", "ch"),  # Tschaikowski / Tchaikovsky
    ("sch", "sh"),  # Schoigu / Shoigu
    ("zh", "sh"),  # Zhukov / Schukow
    ("kh", "ch"),  # Khodorkovsky / Chodorkowski
    ("ae", "a"),  # Haendel / Händel (the umlaut is folded first)
    ("oe", "o"),
    ("ue", "u"),  # Mueller / Müller
    ("ou", "u"),  # Poutine / Putin
    ("ph", "f"),
    ("ck", "k"),
    ("x", "ks"),  # Alexej / Aleksei
    ("tz", "s"),
    ("ts", "s"),  # Tsar / Zar
    ("z", "s"),  # Zelensky / Selenskyj
    ("w", "v"),  # Wladimir / Vladimir, Lawrow / Lavrov
    ("j", "i"),  # Selenskyj / Zelenskyy, Jelzin / Yeltsin
    ("y", "i"),
)
_SOUND = dict(_FOLDS)
# One pass over the word, the longest spelling first at each position.
_SPELLED = re.compile("|".join(sorted(map(re.escape, _SOUND), key=len, reverse=True)))
_C_AS_K = re.compile(r"c(?!h)")  # Nicolas / Nikolas; "ch" is a sound of its own
_DOUBLED = re.compile(r"(.)\1+")


def _fold_word(word: str) -> str:
    word = _SPELLED.sub(lambda m: _SOUND[m.group(0)], word)
    word = _DOUBLED.sub(r"\1", _C_AS_K.sub("k", word))
    # A silent final e (Poutine / Putin), and "-ii" of "-iy", "-ij" already doubled away.
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


@lru_cache(maxsize=1 << 17)  # a load compares every stored suggested source's id
def identity_key(name: str) -> str:
    """The same key for the spellings of one name: accents, case, transliteration
    pairs (sch/sh, j/y, w/v, z/s, ou/u ...) and doubled letters folded away."""
    return "-".join(_fold_word(word) for word in slug(name).split("-") if word)
