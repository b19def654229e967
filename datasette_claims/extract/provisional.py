"""Provisional sources: who a speaker the registry doesn't know is, from the words alone.

"Finance Ministry spokeswoman Anna Berg" is the person Anna Berg with the role "Finance
Ministry spokeswoman"; "Die Sprecherin des Finanzministeriums, Anna Berg" the same in
German; "the White House" an organisation. Groups and anonymous speakers ("officials",
"two people familiar with the matter", "der Sender") are no one in particular across
documents: DocumentSpeakers makes them a source of their own document only
(common_nouns). The id comes from the normalised name, so the same person quoted in many
documents is one provisional source (and load planning folds spellings by identity_key).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import replace

from datasette_claims.extract.common_nouns import common_noun_source, noun_kind
from datasette_claims.extract.identity import Provisional, slug
from datasette_claims.extract.linking import AliasIndex

_DETERMINERS = {
    "der", "die", "das", "des", "dem", "den", "ein", "eine", "einer", "eines", "einem",
    "einen", "the", "a", "an",
}  # fmt: skip
# Capitalised German words that are common nouns of institutions or roles, not names.
_COMMON = re.compile(
    r"(ung|heit|keit|schaft|tion|ium|amt|ämter|behörde|regierung|polizei|partei|ministerin?|"
    r"sprecherin?|präsidentin?|kanzlerin?|chefin?|leiterin?|dienst|gericht|rat|verband|"
    r"bund|kommission|sender|zeitung|agentur|armee|militär|büro|institut|"
    r"police|army|military|government|ministry|court|department|agency|office|aides?)$",
    re.I,
)
_PREPOSITIONS = {"von", "vom", "aus", "in", "im", "für", "bei", "of", "from", "at", "for"}
# Words that make a capitalised name an organisation's ("White House", "Amnesty International").
_ORG_WORDS = {
    "house", "international", "press", "office", "department", "council", "committee",
    "institute", "university", "party", "news", "times", "post", "agency", "ministry",
    "foundation", "association", "bank", "union", "court", "service", "corp", "inc", "group",
    "network", "journal", "tribune", "herald", "guardian", "reuters", "commission", "senate",
    "congress", "administration", "campaign", "organization", "organisation", "center",
    "centre", "fund", "watch", "nations", "ag", "gmbh", "se",
}  # fmt: skip
# Titles before a name: the role, not part of the name.
_TITLES = {
    "senator", "sen", "gov", "governor", "president", "rep", "representative", "dr", "prof",
    "mr", "mrs", "ms", "secretary", "minister", "general", "gen", "judge", "mayor",
    "chancellor", "präsident", "präsidentin", "kanzler", "kanzlerin", "bundeskanzler",
    "bundeskanzlerin", "ministerpräsident", "ministerpräsidentin", "bürgermeister",
    "bürgermeisterin", "senatorin", "abgeordnete", "abgeordneter", "sprecher", "sprecherin",
}  # fmt: skip
_PRONOUNS = {"er", "sie", "es", "he", "she", "they", "it", "we", "wir", "ich", "i", "you"}
_TOKEN = re.compile(r"[^\W\d_][\w'’.\-]*|\([A-ZÄÖÜ][\w\-]{1,10}\)|,")


__all__ = ["DocumentSpeakers", "Provisional", "provisional_source", "slug"]


def provisional_source(words: str | None, index: AliasIndex) -> Provisional | None:
    """The provisional source the speaker's words name, or None for no one in particular."""
    if not words:
        return None
    tokens = _TOKEN.findall(words)
    english_article = bool(tokens) and tokens[0].lower() == "the"
    while tokens and tokens[0].lower() in _DETERMINERS:
        tokens = tokens[1:]
    if (
        english_article
        and len(tokens) == 1
        and tokens[0][:1].isupper()
        and not _COMMON.search(tokens[0])
        and noun_kind(tokens[0]) is None
    ):
        # "the Times", "the Vatican": English capitalises a name, not a common noun.
        return Provisional("suggested-" + slug(tokens[0]), tokens[0], "organisation", None, None)
    if not tokens or tokens[0].lower() in _PRONOUNS or len(tokens) > 14:
        return None
    # A person: the closing run of two to four name words ("… Anna Berg").
    end = len(tokens)
    start = end
    while start > 0 and _is_name_word(tokens[start - 1]):
        start -= 1
    if any(t.lower() in ("und", "and", "sowie", "or", "oder") for t in tokens):
        return None  # several speakers the registry does not all know: no one source
    named = _named_institution(tokens, end)
    if named is not None:
        return named
    while start < end - 1 and tokens[start].lower().rstrip(".") in _TITLES:
        start += 1  # "Senator Donald Roe": the title is the role, the name follows
    if end - start > 2:
        # A name is its last two words, three with a middle initial ("John F. Kennedy");
        # capitalised words before it are a role or a headline's ("Billionaire Donald
        # Trump", "House Speaker Paul Ryan").
        start = end - (3 if re.match(r"^[A-Z]\.$", tokens[end - 2]) else 2)
    run = tokens[start:end]
    after_preposition = start > 0 and tokens[start - 1].lower() in _PREPOSITIONS
    titled = start > 0 and tokens[start - 1].lower().rstrip(".") in _TITLES
    if (
        (2 <= len(run) <= 4 or (titled and len(run) == 1))
        and not after_preposition
        and not _ORG_WORDS & {t.lower() for t in run}
        and not (len(run) > 1 and _TITLES & {t.lower().rstrip(".") for t in run})
        and not any(t.endswith(("’s", "'s")) for t in run[:-1])
    ):
        name = " ".join(t.capitalize() if t.isupper() else t for t in run)
        role = " ".join(tokens[:start]).replace(" ,", ",").strip(" ,") or None
        return Provisional("suggested-" + slug(name), name, "person", role, _parent(role, index))
    # An organisation: a name of capitalised words ("White House", "Amnesty International")
    # or one with its acronym ("Bundesamt für Verfassungsschutz (BfV)").
    acronym = next((t for t in tokens if t.startswith("(")), None)
    capitals = [t for t in tokens if t[:1].isupper()]
    proper = len(capitals) >= 2 and all(
        t[:1].isupper() or t.lower() in ("für", "of", "for", "der", "des", "and", "und")
        for t in tokens
    )
    if after_preposition and not acronym:
        # "Gov. John Kasich of Ohio", "Ken Rice vom Institut": the name before the place;
        # "Der Bürgermeister von New Orleans" names none.
        return provisional_source(" ".join(tokens[: start - 1]), index) if start > 1 else None
    lone = _lone_acronym(tokens)
    if lone:
        return Provisional("suggested-" + slug(lone), lone, "organisation", None, None)
    if (
        acronym
        or (
            proper
            and (
                not _COMMON.search(capitals[-1])
                or capitals[-1].lower() in _ORG_WORDS
                # "Süddeutsche Zeitung", "Congressional Budget Office": a name before the noun
                or any(not _COMMON.search(t) and noun_kind(t) is None for t in capitals[:-1])
            )
        )
    ):
        name = " ".join(t for t in tokens if t != ",")
        return Provisional("suggested-" + slug(name), name, "organisation", None, None)
    return None


_ACRONYM = re.compile(r"^[A-ZÄÖÜ][A-ZÄÖÜ0-9&\-]{1,6}$")
_INSTITUTION_KINDS = {"organisation", "military", "outlet"}


def _named_institution(tokens: list[str], end: int) -> Provisional | None:
    """An institution's common noun and its acronym ("des ukrainischen
    Militärgeheimdienstes HUR", "the intelligence agency SBU"): the organisation the
    acronym names, with the noun for its role; not a person "Militärgeheimdienstes Hur"."""
    if end < 2 or not _ACRONYM.match(tokens[end - 1]):
        return None
    if noun_kind(tokens[end - 2]) not in _INSTITUTION_KINDS:
        return None
    name = tokens[end - 1]
    role = " ".join(t for t in tokens[: end - 1] if t != ",")
    return Provisional("suggested-" + slug(name), name, "organisation", role, None)


def _lone_acronym(tokens: list[str]) -> str | None:
    """The organisation a lone acronym names: "DNC", "IAEA", "N24", and with a common noun
    after it, the body it speaks for ("an NBC reporter", "ein ARD-Korrespondent" is not:
    one word)."""
    words = [t for t in tokens if t != ","]
    if not words or not _ACRONYM.match(words[0]) or len(words) > 2:
        return None
    if len(words) == 2 and not words[1].islower():
        return None
    return words[0]


def _is_name_word(token: str) -> bool:
    if token in (",",) or token.startswith("("):
        return False
    if not token[:1].isupper() or token.lower() in _DETERMINERS:
        return False
    if token.isupper() and len(token) > 1:
        return True  # an acronym or a name in capitals
    return not _COMMON.search(token.rstrip("s"))


def _parent(role: str | None, index: AliasIndex) -> str | None:
    """The registry organisation the role names, when exactly one alias does."""
    if not role:
        return None
    mentioned = sorted(set(index.all_mentions(role)))
    return mentioned[0] if len(mentioned) == 1 else None


# Words that end a speaker's noun phrase: the clause that follows has begun.
_PHRASE_ENDS = {
    "is", "was", "are", "were", "has", "had", "have", "will", "would", "can", "could",
    "says", "said", "told", "went", "came", "also", "still", "just", "again", "then",
    "did", "does", "do", "didn’t", "doesn’t", "won’t", "may", "might", "should", "must",
    "who", "which", "that", "to", "ist", "war", "hat", "hatte", "wird", "wurde", "habe",
    "sei", "soll", "sollte", "kann", "könne", "dass",
}  # fmt: skip
_GERMAN_OBJECT_STARTS = {"ein", "eine", "einen", "einem", "die", "das", "den", "dem"}


def leading_phrase(words: str) -> str | None:
    """The noun phrase speaker words start with, before a verb, an adverb or (in German)
    the next noun phrase: "Florida Sen. Marco Rubio" of "Florida Sen. Marco Rubio says
    he", "der Staatsanwaltschaft Innsbruck" of "der Staatsanwaltschaft Innsbruck
    fahrlässige Tötung"."""
    tokens = words.split()
    for i, token in enumerate(tokens[1:], start=1):
        low = token.lower()
        capital_before = tokens[i - 1][:1].isupper()
        if token[:1].isupper():
            continue
        if (
            low in _PHRASE_ENDS
            or (low.endswith(("ed", "ly")) and len(low) > 4)
            or (capital_before and low in _GERMAN_OBJECT_STARTS)
            or (
                capital_before
                and i > 1
                and low.endswith(("e", "en", "er", "es", "em"))
                and tokens[i - 1].lower() not in _DETERMINERS
                and low not in _PREPOSITIONS
            )
        ):
            return " ".join(tokens[:i]).strip(" ,") or None
    return None


_PERSON_PRONOUNS = {"he", "she", "er", "sie", "him", "her", "ihm", "ihr"}
_PARTY_LABEL = re.compile(r"^\(?[RDI]-[A-Z][A-Za-z.]{1,12}\)?$|^\(?[RDI]\)$")  # (R-Texas), (I-Vt.)
_CONTRACTION = re.compile(r"[’'](s|d|ll)$", re.I)  # "he’s", "she'd"
_QUOTED = re.compile(r"“[^”]*”|„[^“”]*[“”]|\"[^\"]*\"")
# Two to five capitalised words (a middle initial maybe): a full name, a role before it.
_FULL_NAME = re.compile(r"\b[A-ZÄÖÜ][a-zäöüß]+(?: [A-Z]\.)?(?: [A-ZÄÖÜ][a-zäöüß\-]+){1,4}\b")
_SURNAME = re.compile(r"^[A-ZÄÖÜ][\w'’\-]+$")


class DocumentSpeakers:
    """Provisional sources within one document: a surname alone ("Trump") is the full name
    the document gives it ("Donald Trump"); "he"/"sie" is the last person who spoke."""

    def __init__(self, text: str, index: AliasIndex, document_id: str | None = None) -> None:
        self.text = text
        self.index = index
        self.document_id = document_id
        self.last_person: Provisional | None = None
        self._surnames: dict[str, Provisional | None] = {}
        self._people: list[tuple[int, Provisional | None]] | None = None  # named in the text
        self._last_at: int | None = None  # where the last person spoke

    def source(self, words: str | None, at: int | None = None) -> Provisional | None:
        """The suggested source the speaker's words name; `at`, where they stand in the
        text, lets a pronoun be the last person the text named before them."""
        if not words:
            return None
        bare = _CONTRACTION.sub("", words.strip(" \"“”'‘’,."))
        if bare.isupper() and _SURNAME.match(bare.capitalize()):
            # A surname in capitals ("FALLIN:" in a transcript) before any acronym reading.
            full = self._full_name(bare.capitalize())
            if full is not None:
                self.last_person, self._last_at = full, at
                return full
        if _PARTY_LABEL.match(bare):
            # "Sen. Bernie Sanders (I-Vt.)": the label stands for the name before it.
            return self._named_before(at)
        found = provisional_source(bare, self.index)
        if found is None and bare.lower() in _PERSON_PRONOUNS:
            return self._named_before(at)
        if found is None and _SURNAME.match(bare) and not _COMMON.search(bare):
            found = self._full_name(bare)
        if found is None:
            # Speaker words that run on past a name ("Reid caucused in Nevada and"): the
            # name they start with, when the document gives its full form.
            lead = _TOKEN.findall(bare)[:2]
            if (
                len(lead) == 2
                and lead[1][:1].islower()
                and _SURNAME.match(lead[0])
                and lead[0].lower() not in _DETERMINERS | _PRONOUNS | _PREPOSITIONS
                and not _COMMON.search(lead[0])
            ):
                found = self._full_name(lead[0])
        elif found is not None and found.kind == "person" and " " not in found.name:
            # "Mr. Trump", "President Obama": the full name the document gives, if any.
            full = self._full_name(found.name)
            found = replace(full, role=found.role or full.role) if full else found
        if found is None and bare.lower() not in _PRONOUNS | _PERSON_PRONOUNS:
            # "die Polizei", "ein Regierungssprecher": this document's, whichever it is;
            # "er" after "ein Regierungssprecher" is that spokesman.
            found = common_noun_source(bare, self.document_id)
        if found is None:
            # Speaker words that run on into what was said or done ("Charles Barkley
            # went off script to", "UN-Generalsekretär Kofi Annan ein Ende der"): the
            # phrase they start with.
            phrase = leading_phrase(bare)
            if phrase and phrase != bare:
                found = provisional_source(phrase, self.index) or common_noun_source(
                    phrase, self.document_id
                )
        if found is not None and found.kind == "person":
            self.last_person, self._last_at = found, at
        return found

    def _named_before(self, at: int | None) -> Provisional | None:
        """The last person named before offset `at`: the last speaker, or a later
        "Firstname Surname" in the text."""
        if at is None or (self._last_at is not None and self._last_at >= at):
            return self.last_person
        if self._people is None:
            self._people = []
            quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(self.text)]
            for match in _FULL_NAME.finditer(self.text):
                at_quote = bisect.bisect_right(quoted, (match.start(), len(self.text))) - 1
                if at_quote >= 0 and quoted[at_quote][1] > match.start():
                    continue  # named inside a quotation: not who speaks next
                registry = self.index.sources.get(self.index.link(match.group(0)) or "")
                if registry is not None:
                    if registry.kind == "person":
                        # The extractor's own coreference gives a registry person.
                        self._people.append((match.start(), None))
                    continue
                found = provisional_source(match.group(0), self.index)
                if found is not None and found.kind == "person":
                    self._people.append((match.start(), found))
        before = bisect.bisect_left(self._people, at, key=lambda p: p[0])
        if before and (self._last_at is None or self._people[before - 1][0] > self._last_at):
            return self._people[before - 1][1]
        return self.last_person

    def _full_name(self, surname: str) -> Provisional | None:
        if surname not in self._surnames:
            # The first "Firstname (Initial.) Surname" in the document names the person.
            pattern = re.compile(
                rf"\b((?:[A-ZÄÖÜ][a-zäöüß]+|[A-Z]\.)(?: (?:[A-ZÄÖÜ][a-zäöüß]+|[A-Z]\.)){{0,2}}"
                rf" {re.escape(surname)})\b"
            )
            match = pattern.search(self.text)
            found = provisional_source(match.group(1), self.index) if match else None
            if match and (found is None or found.kind != "person"):
                # "House Speaker Paul Ryan" reads as an organisation; its last two words
                # are the person.
                found = provisional_source(" ".join(match.group(1).split()[-2:]), self.index)
            self._surnames[surname] = found if found and found.kind == "person" else None
        return self._surnames[surname]
