"""Speakers named only by a common noun: "die Polizei", "the campaign", "officials".

The words alone cannot tell whose police, so such a speaker is a suggested source of one
document only: two articles' "police" counted as one institution would hide a dispute,
counted as two would invent corroboration, and suggested sources never corroborate
anyway. A person answers "which one?" by renaming or merging it.

A phrase qualifies when its head noun is one of the kinds of speaker below (an
institution, a person's role, a group of people, an outlet, a document), in German
compounds too ("Regierungssprecher", "Umweltschutzorganisation"). Anything else (an
extraction error such as "ersten Angaben", a pronoun) stays without a source.
"""

from __future__ import annotations

import re

from datasette_claims.extract.identity import Provisional, slug

# Head nouns by the source kind they give, lower-case. German ones also match as the end
# of a compound ("polizei" in "Bundespolizei"), after an inflection ending is dropped.
_GERMAN: dict[str, tuple[str, ...]] = {
    "organisation": (
        "polizei", "regierung", "ministerium", "behörde", "amt", "anwaltschaft", "gericht",
        "gerichtshof", "tribunal", "parlament", "kommission", "organisation", "verwaltung",
        "feuerwehr", "partei", "fraktion", "verband", "gewerkschaft", "konzern",
        "unternehmen", "firma", "gesellschaft", "zentrale", "rat", "senat", "kongress",
        "kabinett", "büro", "institut", "dienst", "opposition", "koalition", "bündnis",
        "allianz", "veranstalter", "klinik", "krankenhaus", "universität", "verein",
        "mannschaft", "stadt", "gemeinde", "kirche", "botschaft", "staat", "kommando",
        "stab", "ausschuss", "aufsicht", "staatsanwaltschaft", "vorstand", "leitung",
    ),
    "military": ("armee", "militär", "streitkräfte", "bundeswehr", "marine", "luftwaffe"),
    "outlet": (
        "zeitung", "blatt", "magazin", "sender", "rundfunk", "agentur", "ausgabe",
        "nachrichtensite", "website", "webseite", "portal", "blog",
    ),
    "person": (
        "sprecher", "sprecherin", "berater", "beraterin", "minister", "ministerin",
        "präsident", "präsidentin", "kanzler", "kanzlerin", "bürgermeister",
        "bürgermeisterin", "direktor", "direktorin", "leiter", "leiterin", "chef", "chefin",
        "vorsitzende", "vorsitzender", "sekretär", "sekretärin", "botschafter",
        "botschafterin", "diplomat", "diplomatin", "richter", "richterin", "anwalt",
        "anwältin", "ermittler", "ermittlerin", "inspektor", "experte", "expertin",
        "wissenschaftler", "wissenschaftlerin", "forscher", "forscherin", "arzt", "ärztin",
        "journalist", "journalistin", "reporter", "reporterin", "korrespondent",
        "korrespondentin", "redakteur", "redakteurin", "pilot", "pilotin", "soldat",
        "soldatin", "offizier", "kommandeur", "polizist", "polizistin", "beamte", "beamter",
        "beamtin", "mitarbeiter", "mitarbeiterin", "angestellte", "angestellter",
        "sachbearbeiter", "sachbearbeiterin", "zeuge", "zeugin", "teilnehmer",
        "teilnehmerin", "bewohner", "bewohnerin", "anwohner", "anwohnerin", "aktivist",
        "aktivistin", "kritiker", "kritikerin", "gegner", "gegnerin", "befürworter",
        "analyst", "analystin", "beobachter", "beobachterin", "vermittler", "unterhändler",
        "politiker", "politikerin", "abgeordnete", "abgeordneter", "senator", "senatorin",
        "könig", "königin", "papst", "bischof", "trainer", "trainerin", "spieler",
        "spielerin", "komponist", "komponistin", "künstler", "künstlerin", "autor",
        "autorin", "ombudsmann", "ombudsman", "mann", "frau", "entführer", "täter", "opfer",
        "angehörige", "insider", "gouverneur", "kommissar", "kommissarin", "funktionär",
        "funktionärin", "vertreter", "vertreterin", "demonstrant", "demonstrantin",
    ),
    "group": (
        "männer", "frauen", "eltern", "familie", "bürger", "einwohner", "demonstranten",
        "kreise", "quellen", "experten", "ermittler", "ärzte", "diplomaten", "militärs",
        "behörden", "beamten", "soldaten", "zeugen", "augenzeugen", "forscher",
        "wissenschaftler", "inspektoren", "kritiker", "politiker", "mitarbeiter",
        "anwohner", "angehörigen", "veranstalter", "aktivisten", "analysten",
    ),
    "other": (
        "bericht", "studie", "analyse", "meldung", "umfrage", "untersuchung", "gutachten",
        "erklärung", "mitteilung", "resolution", "dokument", "schreiben", "brief",
        "prognose", "statistik",
    ),
}  # fmt: skip
_ENGLISH: dict[str, tuple[str, ...]] = {
    "organisation": (
        "police", "government", "administration", "ministry", "department", "agency",
        "office", "campaign", "committee", "council", "court", "parliament", "congress",
        "senate", "commission", "party", "company", "firm", "group", "organization",
        "organisation", "foundation", "team", "union", "coalition", "embassy", "city",
        "county", "school", "university", "hospital", "board", "bureau", "panel",
        "institute", "center", "centre", "state", "authority", "prosecution", "regime",
        "cabinet", "faction", "caucus", "network", "company",
    ),
    "military": ("army", "military", "navy", "forces"),
    "outlet": ("newspaper", "paper", "magazine", "broadcaster", "channel", "website", "site"),
    "person": (
        "official", "spokesman", "spokeswoman", "spokesperson", "aide", "adviser",
        "advisor", "secretary", "minister", "president", "senator", "congressman",
        "congresswoman", "lawmaker", "legislator", "representative", "governor", "mayor",
        "chairman", "chairwoman", "chair", "director", "chief", "leader", "candidate",
        "nominee", "delegate", "ambassador", "diplomat", "judge", "prosecutor", "attorney",
        "lawyer", "investigator", "detective", "officer", "agent", "soldier", "commander",
        "expert", "analyst", "economist", "scientist", "researcher", "professor", "doctor",
        "physician", "nurse", "reporter", "journalist", "correspondent", "editor",
        "columnist", "writer", "author", "activist", "critic", "supporter", "opponent",
        "protester", "voter", "resident", "witness", "victim", "source", "insider",
        "businessman", "businesswoman", "magnate", "tycoon", "billionaire", "actor",
        "actress", "star", "singer", "player", "coach", "owner", "founder", "executive",
        "employee", "worker", "staffer", "strategist", "pollster", "consultant", "donor",
        "operative", "manager", "man", "woman", "person", "member", "democrat",
        "republican", "conservative", "liberal", "speaker", "student", "teacher", "parent",
        "father", "mother", "friend", "neighbor", "neighbour", "novice", "politician",
        "fact-checker", "host", "anchor", "organizer", "organiser", "mourner", "official",
    ),
    "group": ("people", "men", "women", "authorities", "officials", "sources", "aides"),
    "other": (
        "report", "study", "survey", "poll", "statement", "letter", "memo", "ad",
        "advertisement", "email", "complaint", "lawsuit", "filing", "analysis",
        "document", "release", "resolution", "indictment", "ruling", "platform",
    ),
}  # fmt: skip
_GERMAN_KIND = {noun: kind for kind, nouns in _GERMAN.items() for noun in nouns}
_GERMAN_ENDS = sorted(_GERMAN_KIND, key=len, reverse=True)  # the longest compound end wins
_ENGLISH_KIND = {noun: kind for kind, nouns in _ENGLISH.items() for noun in nouns}

# Words before the head that only say which or how many ("ein", "the", "two", "mehrere").
_LEADING = {
    "der", "die", "das", "des", "dem", "den", "ein", "eine", "einer", "eines", "einem",
    "einen", "the", "a", "an", "some", "several", "many", "two", "three", "four", "five",
    "zwei", "drei", "vier", "fünf", "mehrere", "einige", "viele", "zahlreiche", "weitere",
    "other", "another", "his", "her", "their", "its", "sein", "seine", "seiner", "seines",
    "ihr", "ihre", "ihrer", "ihres", "dieser", "diese", "dieses", "this", "that", "these",
    "those", "top", "senior", "former", "ehemalige", "ehemaliger", "all", "both", "alle",
}  # fmt: skip
# Words after the head that attach what it belongs to ("Sprecher des Ministeriums").
_OF = {"des", "der", "of", "from", "vom", "von"}
_PLACE = {"in", "im", "aus", "at", "for", "für", "bei", "beim", "on", "am", "with", "familiar"}
# Words that make the phrase a clause, not a name: the extractor took too much.
_CLAUSE = {
    "is", "was", "are", "were", "has", "had", "have", "said", "says", "will", "would",
    "did", "does", "do", "can", "could", "not", "who", "which", "that", "when", "where",
    "what", "ist", "war", "sind", "waren", "hat", "hatte", "haben", "wird", "wurde", "sei",
    "seien", "habe", "dass", "und", "and", "or", "oder", "but", "aber", "wie", "als",
}  # fmt: skip
_WORD = re.compile(r"[^\W\d_][\w'’\-]*")
_GERMAN_ENDINGS = ("es", "en", "s", "n", "e")


def _english_kind(word: str) -> str | None:
    low = word.lower().strip("’'")
    for form in (
        low,
        low[:-1] if low.endswith("s") else "",
        low[:-2] if low.endswith("es") else "",
    ):
        if form in _ENGLISH_KIND:
            kind = _ENGLISH_KIND[form]
            return "group" if form != low and kind == "person" else kind
    return None


def _german_kind(word: str) -> str | None:
    """The kind a capitalised German noun names, compounds included, or None."""
    low = word.lower().split("-")[-1]
    forms = [low] + [low[: -len(e)] for e in _GERMAN_ENDINGS if low.endswith(e) and len(low) > 4]
    for form in forms:
        if form in _GERMAN_KIND:
            return _GERMAN_KIND[form]
    for form in forms:
        for end in _GERMAN_ENDS:
            # A compound's last part: "Regierungssprecher", "Umweltschutzorganisation".
            if form.endswith(end) and len(form) - len(end) >= 3:
                return _GERMAN_KIND[end]
    return None


def noun_kind(word: str) -> str | None:
    """The kind of speaker a common noun names ("Polizei": organisation, "officials":
    group, "Regierungssprecher": person), or None for any other word."""
    if word[:1].isupper():
        return _german_kind(word) or _english_kind(word)
    return _english_kind(word)


def common_noun_source(words: str | None, document_id: str | None) -> Provisional | None:
    """The suggested source of `document_id` that a common noun names, or None."""
    if not words or not document_id:
        return None
    tokens = _WORD.findall(words)
    if not tokens or len(tokens) > 9 or any(t.lower() in _CLAUSE for t in tokens):
        return None
    lead = 0
    while lead < len(tokens) - 1 and tokens[lead].lower() in _LEADING:
        lead += 1
    # The head: the last word before what attaches to it ("des Ministeriums", "in Berlin").
    end = next(
        (i for i in range(lead + 1, len(tokens)) if tokens[i].lower() in _OF | _PLACE),
        len(tokens),
    )
    head = tokens[end - 1]
    kind = noun_kind(head)
    if kind is None or any(_is_verb_like(t) for t in tokens[lead : end - 1]):
        return None
    owner = [
        t for t in tokens[end:] if t.lower() not in _OF | _PLACE | _LEADING and t[:1].isupper()
    ]
    of_owner = end < len(tokens) and tokens[end].lower() in _OF
    key = " ".join([_stem(head), *(_stem(t) for t in owner if of_owner)])
    name = " ".join(words.split()).strip(" ,.;:")
    name = name[:1].lower() + name[1:] if tokens[0].lower() in _LEADING else name
    return Provisional(
        f"suggested-{slug(key)}-{document_id.removeprefix('d-')[:8]}",
        name,
        kind,
        None,
        None,
        document_id,
    )


def _is_verb_like(token: str) -> bool:
    """An English past form inside the words ("the senator emailed supporters")."""
    return token.islower() and token.endswith("ed") and _english_kind(token) is None


def _stem(word: str) -> str:
    """The word without its inflection: "Polizei" for "der Polizei", "official" for
    "officials", "Ministerium" for "des Ministeriums"."""
    low = word.lower()
    for ending in ("es", "s"):
        if low.endswith(ending) and len(low) > 4 and not low.endswith("ss"):
            return low[: -len(ending)]
    return low
