"""Attribution in German news text: quotes, "sagte X", "laut X", "X zufolge", Konjunktiv."""

from __future__ import annotations

import re

from datasette_claims.extract.base import DocumentContext
from datasette_claims.extract.lexicon import (
    GERMAN_ACCORDING_PREFIX,
    GERMAN_CONTINUATION,
    GERMAN_CUE_VERBS,
    GERMAN_DENY,
    GERMAN_DETERMINERS,
    GERMAN_NACH_NOUNS,
    GERMAN_PARTICLE_VERBS,
    GERMAN_POSITION,
    GERMAN_POSITION_PHRASES,
    GERMAN_SAY,
    GERMAN_SUBJUNCTIVE,
    PREPOSITIONS,
    PRONOUNS,
)
from datasette_claims.extract.rules import Attribution, RuleExtractor, Token, stance_of, tokenize
from datasette_claims.extract.sentences import Span, quotes

_ADJECTIVE_END = re.compile(r"(e|en|er|es|em|isch|ische|ischen|ischer)$")
_LEADING_ADVERBS = {
    "auch",
    "nun",
    "indes",
    "zudem",
    "dagegen",
    "jedoch",
    "aber",
    "und",
    "doch",
    "inzwischen",
    "bereits",
    "außerdem",
    "so",
    "damit",
}
# Words that open a main clause without being its subject ("Dies bestätigte X").
_NOT_SUBJECTS = {
    "dies",
    "das",
    "dazu",
    "darin",
    "daraufhin",
    "gestern",
    "heute",
    "morgen",
    "weiter",
    "ebenso",
    "damals",
    "dann",
    "jetzt",
    "hier",
    "dort",
    "deshalb",
    "daher",
    "darüber",
    "dabei",
    "danach",
    "zuvor",
    "später",
    "bisher",
    "allerdings",
    "jedoch",
    "trotzdem",
    "gleichzeitig",
    "zugleich",
    "erst",
    "schon",
    "vorher",
    "ferner",
    "anschließend",
    "demnach",
    "dem",
    "den",
    "ihm",
    "ihr",
    "ihnen",
    "uns",
    "mir",
    "dafür",
    "davon",
    "hierzu",
}
_STOP_WORDS = {
    "während",
    "bei",
    "am",
    "im",
    "in",
    "auf",
    "nach",
    "vor",
    "gegenüber",
    "dem",
    "zufolge",
    "laut",
    "zu",
    "zum",
    "zur",
    "mit",
    "und",
    "sowie",
    "als",
}
# Lower-case words with adjective endings that are verbs, pronouns or determiners.
_NOT_ADJECTIVES = (
    _STOP_WORDS
    | GERMAN_DETERMINERS
    | GERMAN_SAY
    | GERMAN_CUE_VERBS
    | set(GERMAN_PARTICLE_VERBS)
    | GERMAN_POSITION
    | GERMAN_SUBJUNCTIVE
    | {"sie", "wir", "ihr", "sich", "diese", "dieser", "dieses", "jene", "welche", "keine"}
)


def noun_phrase(tokens: list[Token], i: int, allow_apposition: bool = True) -> tuple[int, int]:
    """Token range [i, j) of a German noun phrase starting at token i (may be empty).

    Determiners, adjectives and capitalised words, genitive attributes ("der Chef des
    Auswärtigen Ausschusses der Duma") and a closing apposition (", Leonid Sluzki").
    """
    j = i
    n = len(tokens)
    while j < n:
        tok = tokens[j]
        low = tok.lower
        if low in PRONOUNS and j == i:
            return i, j + 1
        if low in GERMAN_DETERMINERS:
            j += 1
            continue
        if tok.capitalised and tok.text[0].isalpha() and low not in _STOP_WORDS:
            j += 1
            continue
        if (
            tok.text[0].islower()
            and _ADJECTIVE_END.search(low)
            and j + 1 < n
            and low not in _NOT_ADJECTIVES
            and (
                tokens[j + 1].capitalised
                or (
                    _ADJECTIVE_END.search(tokens[j + 1].lower)
                    and tokens[j + 1].lower not in _NOT_ADJECTIVES
                )
            )
        ):
            j += 1
            continue
        break
    # An acronym in brackets belongs to the name: "Bundesamt für Verfassungsschutz (BfV)".
    if j > i and j + 2 < n and tokens[j].text == "(" and tokens[j + 2].text == ")":
        if tokens[j + 1].text[:1].isupper():
            j += 3
    # Joint speakers: "Frankreichs und Spaniens", "Weder die Regierung noch das Militär".
    if (
        j > i
        and j + 1 < n
        and tokens[j].lower in ("und", "sowie", "noch")
        and (tokens[j + 1].capitalised or tokens[j + 1].lower in GERMAN_DETERMINERS)
        and tokens[j + 1].lower not in _NOT_ADJECTIVES - GERMAN_DETERMINERS
    ):
        k, m = noun_phrase(tokens, j + 1, allow_apposition=False)
        if m > k + (1 if tokens[j + 1].lower in GERMAN_DETERMINERS else 0):
            j = m
    # An apposition at the end of the sentence names the person: ", Leonid Sluzki."
    if allow_apposition and j < n and tokens[j].text == "," and j + 1 < n:
        k = j + 1
        while k < n and tokens[k].capitalised and tokens[k].text[0].isalpha():
            k += 1
        if k > j + 1 and (k == n or tokens[k].text in ".!"):
            j = k
    # Drop trailing determiners (a phrase cannot end on "der").
    while j > i and tokens[j - 1].lower in GERMAN_DETERMINERS:
        j -= 1
    return i, j


def _span(tokens: list[Token], i: int, j: int) -> Span | None:
    if j <= i:
        return None
    last = tokens[j - 1]
    # The sentence's full stop clings to its last word ("Karl Beispiel."): not the name.
    end = (
        last.end - 1
        if j == len(tokens) and len(last.text) > 2 and last.text[-1] == "."
        else last.end
    )
    return Span(tokens[i].start, end)


def _is_nach_noun(word: str) -> bool:
    return word in GERMAN_NACH_NOUNS or word.endswith(("angaben", "berichten", "aussagen"))


def _is_attribution_noun(tokens: list[Token], k: int) -> bool:
    """ "nach" starts an attribution: "nach Angaben", "nach eigenen Angaben", "nach Ansicht"."""
    for m in range(k, min(k + 3, len(tokens))):
        if _is_nach_noun(tokens[m].lower):
            return True
        if not (_ADJECTIVE_END.search(tokens[m].lower) or tokens[m].lower in GERMAN_DETERMINERS):
            return False
    return False


# Verbs that report speech only with a word in their clause ("machte deutlich").
_NEEDS_WORD = {"machte": ("deutlich", "klar"), "macht": ("deutlich", "klar")}
_NOT_GENERIC = {"droht", "drohte", "sprach", "spricht"}


def _is_cue_verb(tokens: list[Token], v: int, end: int) -> bool:
    """A reporting verb, or the finite part of one whose particle closes the clause."""
    low = tokens[v].lower
    if low in _NOT_GENERIC:
        return False
    if low in _NEEDS_WORD:
        return any(t.lower in _NEEDS_WORD[low] for t in tokens[v + 1 : end])
    if low in GERMAN_CUE_VERBS:
        return True
    particles = GERMAN_PARTICLE_VERBS.get(low)
    if not particles:
        return False
    for m in range(v + 1, end):
        if tokens[m].text in (",", ":", ";", "."):
            return tokens[m - 1].lower in particles.split()
    return tokens[end - 1].lower in particles.split()


_BETWEEN = {
    "hingegen",
    "jedoch",
    "allerdings",
    "aber",
    "auch",
    "dagegen",
    "nun",
    "zudem",
    "gestern",
    "heute",
    "bereits",
    "ebenfalls",
    "selbst",
    "indes",
    "inzwischen",
    "damals",
}
_ATTACHING = {"in", "im", "aus", "von", "vom", "bei", "beim", "für", "der", "des", "am"}
_SUBORDINATORS = {"wie", "als", "wenn", "nachdem", "weil", "dass", "ob", "obwohl", "während"}
_POSSESSIVES = {"seiner", "ihrer", "unserer", "meiner", "deren", "dessen", "eigener"}
_RELATIVE = {"der", "die", "das", "welcher", "welche", "welches", "dessen", "deren", "den", "dem"}


def _subject_with_insert(tokens: list[Token], v: int) -> tuple[int, int] | None:
    """The subject before a verb when an apposition or relative clause sits between them.

    "Die Sprecherin, Anna Berg, sagte" -> the whole phrase; "Der NDR, der … ist, sagte"
    -> "Der NDR". None when the words before the verb are not subject, comma, insert.
    """
    if v < 4 or tokens[v - 1].text != ",":
        return None
    i = 0
    while i < v and tokens[i].lower in _LEADING_ADVERBS:
        i += 1
    if i >= v or tokens[i].lower in PREPOSITIONS or tokens[i].lower in _NOT_SUBJECTS:
        return None
    i, j = noun_phrase(tokens, i, allow_apposition=False)
    if j <= i or j >= v - 1 or tokens[j].text != ",":
        return None
    k = j + 1
    if tokens[k].lower in _RELATIVE:
        return i, j
    m = k
    while m < v - 1 and (tokens[m].capitalised or tokens[m].lower in GERMAN_DETERMINERS):
        m += 1
    if m == v - 1 and m > k:
        return i, m  # the apposition names the speaker
    return None


_PASSIVE = {"wurde", "wurden", "wird", "werden", "worden"}
_FINITE = GERMAN_POSITION | {"hat", "haben", "hatte", "hatten", "ist", "sind", "war", "waren"}


def _finite_verb(tokens: list[Token]) -> int:
    """Index of the first word that looks like the finite verb of a main clause (V2)."""
    for m, tok in enumerate(tokens[:12]):
        if m == 0:
            continue
        if (
            tok.lower in GERMAN_CUE_VERBS
            or tok.lower in _FINITE
            or tok.lower in GERMAN_PARTICLE_VERBS
        ):
            return m
        if tok.lower in ("wird", "werden", "wurde", "wurden", "soll", "sollen", "kann", "können"):
            return m
    return len(tokens)


# Cues whose verb itself says how the speaker stands: a demand, plan or forecast is about
# what is to come; a suspicion or question leaves it open; a rejection denies it.
_EXPECT_CUES = set(
    """
    fordert forderte fordern forderten aufgefordert gefordert verlangt verlangte verlangten
    plant plante planen angekündigt kündigte kündigt kündigten erwartet erwartete erwarten
    rechnet rechnete hofft hoffte hoffen befürchtet befürchtete befürchten fürchtet
    appellierte empfahl empfiehlt schlug schlägt geht gehen ging prognostiziert
    prognostizierte will wollen wollte kündigen versprach verspricht droht drohte
    """.split()
)
_UNCERTAIN_CUES = set(
    "vermutet vermutete vermuten spekulierte spekuliert prüft prüfen fragte".split()
)
_DENY_CUES = set(
    "bestreitet bestritt bestreiten dementiert dementierte dementieren leugnet leugnete".split()
)
_UNCERTAIN_DE = re.compile(
    r" (möglicherweise|vielleicht|unklar|unbekannt|ungewiss|offen ob|ob|verdacht|"
    r"nicht klar|nicht bestätigt|nicht bestätigen|könne|könnten|könnte) "
)
_EXPECT_DE = re.compile(
    r" (will|wolle|wollen|plant|plane|künftig|zukünftig|demnächst|bald|ab sofort|"
    r"voraussichtlich|dürfte|dürften|erwartet|erwarte|rechne|rechnet|"
    r"bis (ende|mitte|anfang|zum|zur|spätestens|januar|februar|märz|april|mai|juni|juli|"
    r"august|september|oktober|november|dezember|\d{4})) "
)
_FUTURE_AUX = {"wird", "werden", "würde", "würden", "werde", "soll", "sollen", "solle", "sollten"}


def _future(content: str) -> bool:
    """ "werden … erreichen", "soll … beginnen": what is to come, not a passive ("wird
    vorgeworfen") or a report of the past ("soll geholfen haben")."""
    words = re.findall(r"\w+", content.lower())
    if not words or not _FUTURE_AUX & set(words):
        return False
    last = words[-1]
    if last in ("haben", "sein", "werden") and len(words) > 1:
        last = words[-2]
        if last.startswith("ge") or last.endswith(("iert", "worden")):
            return False
        return last.endswith("en") and last != "worden"
    return last.endswith("en") and not last.startswith("ge") and last != "worden"


_NEGATIONS = {"nicht", "weder", "kein", "keine", "nie", "niemals"}
_CONFIRM = ("bestätig", "belegen", "belegt", "verifizier")
_BELIEVE = {
    "glaubt",
    "glaubte",
    "glauben",
    "geht",
    "ging",
    "gehen",
    "rechnet",
    "rechnete",
    "erwartet",
}


def _negated(found: Attribution, tokens: list[Token]) -> Attribution:
    """A negated cue weakens or turns the stance: "bestätigte nicht" leaves it open,
    "glaubt nicht, dass" denies it."""
    if found.stance or not found.cue:
        return found
    verb = found.cue.split()[0]
    clause = []
    for tok in tokens:
        if tok.start >= found.content.start and tok.end <= found.content.end:
            continue  # the cue clause only, not the content
        clause.append(tok.lower)
    if not _NEGATIONS & set(clause):
        return found
    if verb.startswith(_CONFIRM):
        found.stance = "uncertain"
    elif verb in _BELIEVE:
        found.stance = "denies"
    return found


_WORDS = re.compile(r"\w+")
_TRIGGER_PARTS = re.compile(r"sorge|befürcht|angst|angaben")
# Every word some rule below starts from; a sentence with none of them has no attribution.
_TRIGGERS = (
    GERMAN_CUE_VERBS
    | set(GERMAN_PARTICLE_VERBS)
    | GERMAN_POSITION
    | GERMAN_NACH_NOUNS
    | {"laut", "gemäß", "zufolge", "so", "wie", "heißt", "hieß", "nach", "machte", "macht"}
)


class GermanExtractor(RuleExtractor):
    name = "builtin-de"
    languages = ("de",)

    def stance(self, content: str, figures: list, cue: str | None) -> str:
        found = stance_of(content, figures)
        if found != "asserts":
            return found
        cue_words = (cue or "").split()
        lowered = " " + " ".join(re.findall(r"\w+", content.lower())) + " "
        if any(w in _DENY_CUES for w in cue_words):
            return "denies"
        if any(w in _UNCERTAIN_CUES for w in cue_words) or _UNCERTAIN_DE.search(lowered):
            return "uncertain"
        if (
            any(w in _EXPECT_CUES for w in cue_words)
            or _EXPECT_DE.search(lowered)
            or _future(content)
        ):
            return "expects"
        return "asserts"

    def continues_speech(self, sentence_text: str) -> bool:
        words = set(re.findall(r"\w+", sentence_text.lower()))
        return bool(words & GERMAN_SUBJUNCTIVE or words & GERMAN_CONTINUATION)

    def introduces_quote(self, document: DocumentContext, sentence: Span) -> Span | None:
        tokens = tokenize(document.text[sentence.start : sentence.end], sentence.start)
        verbs = [n for n, t in enumerate(tokens) if t.lower in GERMAN_CUE_VERBS]
        if verbs and len(tokens) - verbs[-1] <= 4:
            i, j = self._subject(tokens, verbs[-1])
            if j <= i:
                i, j = noun_phrase(tokens, verbs[-1] + 1, allow_apposition=False)
            return _span(tokens, i, j)
        return None

    def attribute(self, document: DocumentContext, sentence: Span) -> list[Attribution]:
        text = document.text
        raw = text[sentence.start : sentence.end]
        low = raw.lower()
        if set(_WORDS.findall(low)).isdisjoint(_TRIGGERS) and not _TRIGGER_PARTS.search(low):
            return []  # no word any rule starts from: most sentences of a report
        tokens = tokenize(raw, sentence.start)
        if not tokens:
            return []
        for rule in (
            self._quote_then_cue,
            self._cue_then_quote,
            self._points_back,
            self._according,
            self._zufolge,
            self._trailing_cue,
            self._cue_then_content,
            self._concern,
            self._position,
            self._wie_clause,
            self._verb_cue_with_clause,
            self._according_inside,
            self._postposed_nach,
            self._verb_cue,
        ):
            found = rule(document, sentence, tokens)
            if found:
                return [_negated(a, tokens) for a in found]
        return []

    # „…“, sagte X. / „…“, machte er deutlich. / „…“, so X.
    def _quote_then_cue(self, document, sentence, tokens):
        text = document.text
        for quote in quotes(text[sentence.start : sentence.end]):
            if quote.outer.start > 2:
                continue
            after = [t for t in tokens if t.start >= sentence.start + quote.outer.end]
            if len(after) < 2:
                continue
            k = 1 if after[0].text == "," else 0
            if k >= len(after):
                continue
            verb = after[k].lower
            if verb == "so" or verb in GERMAN_CUE_VERBS:
                start = k + 1
                while start < len(after) and after[start].lower in _LEADING_ADVERBS:
                    start += 1  # „…“, sagte auch der Chef
                i, j = noun_phrase(after, start)
                if j > i:
                    inner = Span(
                        sentence.start + quote.inner.start, sentence.start + quote.inner.end
                    )
                    stance = "denies" if verb in GERMAN_DENY else None
                    return [Attribution(inner, "direct", _span(after, i, j), verb, 0.9, stance)]
        return []

    # X sagte: „…“
    def _cue_then_quote(self, document, sentence, tokens):
        text = document.text
        for quote in quotes(text[sentence.start : sentence.end]):
            before = [t for t in tokens if t.end <= sentence.start + quote.outer.start]
            if len(before) < 2 or before[-1].text not in (":", ","):
                continue
            verbs = [n for n, t in enumerate(before) if t.lower in GERMAN_CUE_VERBS]
            if not verbs:
                continue
            v = verbs[0]
            i, j = self._subject(before, v)
            if j <= i:
                i, j = noun_phrase(before, v + 1, allow_apposition=False)
            if j > i:
                inner = Span(sentence.start + quote.inner.start, sentence.start + quote.inner.end)
                return [Attribution(inner, "direct", _span(before, i, j), before[v].lower, 0.9)]
        return []

    # Nach Angaben des Geheimdienstes ... / Laut X ...
    def _according(self, document, sentence, tokens):
        low = " ".join(t.lower for t in tokens[:4])
        for prefix in GERMAN_ACCORDING_PREFIX:
            words = prefix.split()
            if low.startswith(prefix) or (
                tokens[0].lower in _LEADING_ADVERBS and low.split(" ", 1)[-1].startswith(prefix)
            ):
                skip = len(words) + (
                    1 if tokens[0].lower in _LEADING_ADVERBS and not low.startswith(prefix) else 0
                )
                i, j = noun_phrase(tokens, skip, allow_apposition=False)
                if j > i:
                    return [Attribution(sentence, "indirect", _span(tokens, i, j), prefix, 0.85)]
        return []

    # Dem Geheimdienst zufolge ...
    def _zufolge(self, document, sentence, tokens):
        for n, tok in enumerate(tokens[:12]):
            if tok.lower == "zufolge" and n > 0:
                i = n
                while (
                    i > 0
                    and (
                        tokens[i - 1].capitalised
                        or tokens[i - 1].lower in GERMAN_DETERMINERS
                        or _ADJECTIVE_END.search(tokens[i - 1].lower)
                    )
                    and tokens[i - 1].text.isalpha()
                ):
                    i -= 1
                if i < n:
                    return [Attribution(sentence, "indirect", _span(tokens, i, n), "zufolge", 0.85)]
        return []

    # …, sagte der Präsident X. / …, so US-Verteidigungsminister Lloyd Austin.
    def _trailing_cue(self, document, sentence, tokens):
        for n in range(len(tokens) - 2, 0, -1):
            if tokens[n].text != ",":
                continue
            verb = tokens[n + 1].lower
            if verb != "so" and verb not in GERMAN_CUE_VERBS:
                continue
            if verb in ("heißt", "hieß") and n + 2 < len(tokens) and tokens[n + 2].lower == "es":
                # "…, hieß es (weiter)": the speaker before goes on; it is not "es".
                content = Span(sentence.start, tokens[n].start)
                return [Attribution(content, "indirect", None, "heißt es", 0.6, continues=True)]
            i, j = noun_phrase(tokens, n + 2)
            rest = tokens[j:]
            # The phrase must run (nearly) to the end: "..., sagte X während einer Anhörung."
            if j > i and (not rest or rest[0].text in ".!" or rest[0].lower in _STOP_WORDS):
                content = Span(sentence.start, tokens[n].start)
                stance = "denies" if verb in GERMAN_DENY else None
                quote = "direct" if document.text[sentence.start] in '„"»“«‹›' else "indirect"
                if quote == "direct":
                    return []  # handled by the quote rules
                return [Attribution(content, quote, _span(tokens, i, j), verb, 0.85, stance)]
        return []

    # …, entgegnete der Spitzendiplomat, alle Optionen lägen auf dem Tisch.
    # Der Minister sagte, dass … / Der Minister sagte, …
    def _cue_then_content(self, document, sentence, tokens):
        for n, tok in enumerate(tokens[:-2]):
            if tok.lower not in GERMAN_CUE_VERBS:
                continue
            i, j = noun_phrase(tokens, n + 1, allow_apposition=False)
            if j > i and j < len(tokens) and tokens[j].text == ",":
                content = Span(tokens[j + 1].start, sentence.end)
                return [Attribution(content, "indirect", _span(tokens, i, j), tok.lower, 0.8)]
            # Subject before the verb: "Der Minister sagte, dass ..."
            if n + 1 < len(tokens) and tokens[n + 1].text == ",":
                si, sj = self._subject(tokens, n)
                if sj > si:
                    content = Span(tokens[n + 2].start, sentence.end)
                    return [Attribution(content, "indirect", _span(tokens, si, sj), tok.lower, 0.8)]
        return []

    # In Südkorea ist die Sorge groß, dass … / Dies löst in Südkorea Sorgen aus …
    def _concern(self, document, sentence, tokens):
        lowered = [t.lower for t in tokens]
        if not any(w.startswith(("sorge", "befürcht", "angst")) for w in lowered):
            return []
        for n, tok in enumerate(tokens[:-1]):
            if tok.lower == "in" and tokens[n + 1].capitalised:
                words = document.text[tok.start : tokens[n + 1].end]
                if document.index.link(words) or document.index.link(tokens[n + 1].text):
                    return [
                        Attribution(
                            sentence,
                            "none",
                            Span(tok.start, tokens[n + 1].end),
                            "sorge",
                            0.6,
                            "expects",
                        )
                    ]
        return []

    # Südkorea will … / Die USA halten … für gefährlich und werfen … vor
    def _position(self, document, sentence, tokens):
        lowered_sentence = document.text[sentence.start : sentence.end].lower()
        for n, tok in enumerate(tokens[:8]):
            if tok.lower not in GERMAN_POSITION:
                continue
            if tok.lower in ("hat", "haben") and not any(
                p in lowered_sentence for p in GERMAN_POSITION_PHRASES
            ):
                continue
            i, j = self._subject(tokens, n)
            speaker = _span(tokens, i, j)
            if speaker is None or not document.index.link(
                document.text[speaker.start : speaker.end]
            ):
                i, j = noun_phrase(tokens, n + 1, allow_apposition=False)
                speaker = _span(tokens, i, j)
                if speaker is None or not document.index.link(
                    document.text[speaker.start : speaker.end]
                ):
                    return []
            return self._split_coordinated(document, sentence, tokens, n, speaker, tok.lower)
        return []

    def _split_coordinated(self, document, sentence, tokens, verb_at, speaker, verb):
        """ "Russland weist das zurück und betont, dass …" is two claims by one speaker."""
        parts = []
        start = sentence.start
        for m in range(verb_at + 1, len(tokens) - 1):
            if tokens[m].lower == "und" and (
                tokens[m + 1].lower in GERMAN_POSITION or tokens[m + 1].lower in GERMAN_CUE_VERBS
            ):
                parts.append(Span(start, tokens[m].start))
                start = tokens[m + 1].start
        parts.append(Span(start, sentence.end))
        result = []
        for part in parts:
            part_text = document.text[part.start : part.end].lower()
            stance = (
                "denies"
                if re.search(r"\b(weist|weisen|wies|wiesen)\b.*\bzurück\b", part_text)
                or any(w in part_text.split() for w in ("dementiert", "bestreitet", "bestritt"))
                else None
            )
            result.append(Attribution(part, "none", speaker, verb, 0.7, stance))
        return result

    # <sentence>. Das teilte die Polizei am Abend mit. / Dies geht aus einem Bericht hervor.
    def _points_back(self, document, sentence, tokens):
        before = document.previous_sentence
        if before is None or len(tokens) < 3 or tokens[0].lower not in ("das", "dies", "dieses"):
            return []
        v = 1
        if not (_is_cue_verb(tokens, v, len(tokens)) or tokens[v].lower in ("geht", "ging")):
            return []
        start = v + 1
        while start < len(tokens) and (
            tokens[start].lower in _LEADING_ADVERBS
            or (
                tokens[start].lower in _NOT_SUBJECTS
                and tokens[start].lower not in GERMAN_DETERMINERS
            )
        ):
            start += 1
        if (
            tokens[v].lower in ("geht", "ging")
            and start < len(tokens)
            and tokens[start].lower == "aus"
        ):
            start += 1  # "Dies geht aus einem Bericht hervor"
        i, j = noun_phrase(tokens, start)
        if j <= i or tokens[i].lower in ("es", "sich"):
            return []
        raw = document.text[before.start : before.end]
        quote = "direct" if raw[:1] in '„"»“«‹›' else "indirect"
        return [Attribution(before, quote, _span(tokens, i, j), tokens[v].lower, 0.8)]

    # Die Stadt soll nach Angaben der Polizei 300 Beamte eingesetzt haben. / … laut X …
    def _according_inside(self, document, sentence, tokens):
        for n, tok in enumerate(tokens[:-1]):
            low = tok.lower
            if low in ("laut", "gemäß"):
                i, j = noun_phrase(tokens, n + 1, allow_apposition=False)
                cue = low
            elif low == "nach" and _is_attribution_noun(tokens, n + 1):
                k = n + 1
                while k < len(tokens) - 1 and not _is_nach_noun(tokens[k].lower):
                    k += 1  # "nach eigenen Angaben", "nach ersten offiziellen Angaben"
                own = tokens[n + 1].lower in ("eigenen", "eigener")
                i, j = noun_phrase(tokens, k + 1, allow_apposition=False)
                if own:
                    # "nach eigenen Angaben": the sentence's subject speaks.
                    i, j = self._subject(tokens, _finite_verb(tokens))
                if j <= i:
                    i, j = n + 1, k + 1  # "nach behördlichen Angaben": no one named
                cue = "nach " + tokens[k].lower
            else:
                continue
            if j > i:
                confidence = 0.8 if cue != "gemäß" else 0.6
                return [Attribution(sentence, "indirect", _span(tokens, i, j), cue, confidence)]
        return []

    # …, wie der Sprecher mitteilte. / Wie die Polizei berichtete, ist …
    def _wie_clause(self, document, sentence, tokens):
        for n, tok in enumerate(tokens[:-2]):
            if tok.lower != "wie" or (n > 0 and tokens[n - 1].text != ","):
                continue
            end = n + 1
            while end < len(tokens) and tokens[end].text not in (",", ".", "!", ";"):
                end += 1
            verbs = [m for m in range(n + 1, end) if _is_cue_verb(tokens, m, end)]
            if not verbs:
                continue
            i, j = noun_phrase(tokens, n + 1, allow_apposition=False)
            if j <= i or j > verbs[0]:
                continue
            if n == 0 and end + 1 < len(tokens):
                content = Span(tokens[end + 1].start, sentence.end)
            elif n > 0:
                content = Span(sentence.start, tokens[n - 1].start)
            else:
                continue
            return [
                Attribution(content, "indirect", _span(tokens, i, j), tokens[verbs[0]].lower, 0.8)
            ]
        return []

    # Der Minister hat am Freitag angekündigt, … / Am Freitag teilte die Polizei mit, dass …
    # / …, teilte die Polizei am Abend mit. / Die Regierung forderte ein Ende der Gewalt.
    def _verb_cue_with_clause(self, document, sentence, tokens):
        """The verb rule when a clause reports the content; a bare "X forderte Y" waits
        until the prepositional cues ("nach Angaben X") have had their turn."""
        return [a for a in self._verb_cue(document, sentence, tokens) if a.quote != "none"]

    # Seiner Meinung nach … / Dem Vernehmen nach … / ihrer Ansicht nach
    def _postposed_nach(self, document, sentence, tokens):
        for n, tok in enumerate(tokens[1:], 1):
            if tok.lower != "nach" or not _is_nach_noun(tokens[n - 1].lower):
                continue
            i = n - 1
            if i > 0 and (
                tokens[i - 1].lower in GERMAN_DETERMINERS or tokens[i - 1].lower in _POSSESSIVES
            ):
                i -= 1
            return [
                Attribution(
                    sentence, "indirect", Span(tokens[i].start, tokens[n - 1].end), "nach", 0.7
                )
            ]
        return []

    def _verb_cue(self, document, sentence, tokens):
        n = len(tokens)
        for v in range(n - 1):
            if not _is_cue_verb(tokens, v, n):
                continue
            clause_end = v + 1
            while clause_end < n and tokens[clause_end].text not in (",", ":", ";", "."):
                clause_end += 1
            if tokens[v].lower in ("heißt", "hieß") and v + 1 < n and tokens[v + 1].lower == "es":
                # "…, hieß es weiter": the speaker before, not "es".
                if v > 0 and tokens[v - 1].text == ",":
                    content = Span(sentence.start, tokens[v - 1].start)
                    return [Attribution(content, "indirect", None, "heißt es", 0.6, continues=True)]
                return []
            if v >= 3 and tokens[v - 1].lower == "zu":
                # "Der Kreml beeilte sich zu erklären, …": the subject of the main verb.
                i, j = noun_phrase(tokens, 0, allow_apposition=False)
                if j > i and j < v - 1 and clause_end + 1 < n and tokens[clause_end].text == ",":
                    content = Span(tokens[clause_end + 1].start, sentence.end)
                    return [
                        Attribution(content, "indirect", _span(tokens, i, j), tokens[v].lower, 0.7)
                    ]
            inserted = _subject_with_insert(tokens, v)
            if inserted is not None:
                # "Der NDR, der … verantwortlich ist, begründete …",
                # "Die Sprecherin, Anna Berg, sagte …"
                i, j = inserted
                if clause_end + 1 < n and tokens[clause_end].text in (",", ":"):
                    content, quote = Span(tokens[clause_end + 1].start, sentence.end), "indirect"
                else:
                    content, quote = Span(tokens[v + 1].start, sentence.end), "none"
                return [Attribution(content, quote, _span(tokens, i, j), tokens[v].lower, 0.65)]
            if v > 0 and tokens[v - 1].text == ",":
                # Content first: "…, teilte die Polizei mit."
                i, j = noun_phrase(tokens, v + 1)
                if j > i and tokens[0].start < tokens[v - 1].start:
                    content = Span(sentence.start, tokens[v - 1].start)
                    quote = "direct" if document.text[sentence.start] in '„"»“«‹›' else "indirect"
                    if quote == "direct":
                        return []
                    return [Attribution(content, quote, _span(tokens, i, j), tokens[v].lower, 0.75)]
                continue
            passive = [m for m in range(v) if tokens[m].lower in ("von", "vom")]
            if passive and any(t.lower in _PASSIVE for t in tokens[:v]):
                # "… wurde von den Veranstaltern als Erfolg gewertet."
                i, j = noun_phrase(tokens, passive[0] + 1, allow_apposition=False)
                if j > i:
                    return [
                        Attribution(sentence, "none", _span(tokens, i, j), tokens[v].lower, 0.6)
                    ]
            finite = _finite_verb(tokens)
            i, j = self._subject(tokens, finite)
            if j <= i or finite > v:
                # Inverted: "Am Freitag sagte der Minister, …", "Dazu hat die Polizei erklärt".
                start = finite + 1 if finite < v else v + 1
                while start < n and tokens[start].lower in _LEADING_ADVERBS:
                    start += 1
                i, j = noun_phrase(tokens, start, allow_apposition=False)
                if j <= i or j > clause_end or tokens[i].lower in ("es", "sich"):
                    continue
            if clause_end + 1 < n and tokens[clause_end].text in (",", ":"):
                content = Span(tokens[clause_end + 1].start, sentence.end)
                quote = "indirect"
            else:
                # No clause follows: the sentence itself reports what was said or done.
                content = sentence
                quote = "none"
            return [Attribution(content, quote, _span(tokens, i, j), tokens[v].lower, 0.65)]
        return []

    def _subject(self, tokens: list[Token], verb_at: int) -> tuple[int, int]:
        """The noun phrase before the verb, skipping leading adverbs ("Auch die US-Regierung")."""
        i = 0
        while i < verb_at and tokens[i].lower in _LEADING_ADVERBS:
            i += 1
        if i < verb_at and tokens[i].lower in _SUBORDINATORS:
            return i, i  # "Wie die Polizei mitteilte": a clause, not the subject
        if i < verb_at and tokens[i].lower in PREPOSITIONS:
            return i, i  # "Als Reaktion", "In Südkorea": not a subject
        i2, j = noun_phrase(tokens, i, allow_apposition=False)
        end = verb_at
        while end > j and tokens[end - 1].lower in _BETWEEN:
            end -= 1  # "Die Kanadier hingegen sagen": adverbs between subject and verb
        while j > i2 and j < end and tokens[j].lower in _ATTACHING:
            # "Ein Regierungssprecher in Berlin sagte", "Ken Rice vom Institut für Astronomie"
            k, m = noun_phrase(tokens, j + 1, allow_apposition=False)
            if m <= k:
                break
            j = m
        if j != end or (j == i2 + 1 and tokens[i2].lower in _NOT_SUBJECTS):
            return i2, i2  # "Dies sagte der Minister": the subject follows the verb
        return i2, j
