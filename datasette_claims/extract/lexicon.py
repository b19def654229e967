"""Word lists the rule-based extractors use, German and English.

Kept as data so they can be read, reviewed and extended without touching the rules.
Multi-word entries are tuples of phrases; single words are whitespace-separated lists.
"""

from __future__ import annotations

from functools import cache


def _words(text: str) -> set[str]:
    return set(text.split())


@cache
def _data_file(name: str) -> str:
    from importlib.resources import files

    return files("datasette_claims.extract").joinpath(f"data/{name}").read_text("utf-8")


def _learned(kind: str, name: str = "de_cues.tsv") -> dict[str, tuple[int, int]]:
    """Counts from data/<name> (learned from annotated news): form -> (cue, seen)."""
    table: dict[str, tuple[int, int]] = {}
    text = _data_file(name)  # read once, however many kinds it holds
    for line in text.splitlines():
        parts = line.split("\t")
        if len(parts) == 4 and parts[0] == kind:
            table[parts[1]] = (int(parts[2]), int(parts[3]))
    return table


# Reporting verbs (finite forms as they appear in news text).
GERMAN_SAY = _words(
    """
    antwortet antwortete behauptet behauptete bekräftigt bekräftigte berichtet
    berichtete berichteten bestreitet bestritt bestätigt bestätigte betont betonte
    betonten dementiert dementierte droht drohte entgegnet entgegnete ergänzt ergänzte
    erklärt erklärte erklärten fordert forderte fügte glaubt glaubte heißt hieß hofft
    hoffte kritisiert kritisierte kündigt kündigte machte mahnt mahnte meint meinte
    mitgeteilt räumt räumte sagen sagt sagte sagten schreibt schrieb schätzt schätzte
    sprach spricht teilt teilte teilten unterstreicht unterstrich verkündet verkündete
    vermutet vermutete versichert versicherte verweist verwies warnt warnte warnten
    zitiert zitierte behaupten bestätigen berichten erklären fordern kritisieren warnen
    """
)

GERMAN_DENY = _words(
    """
    bestreiten bestreitet bestritt dementieren dementiert dementierte leugnet leugnete
    weisen weist wies zurückgewiesen zurückweisen
    """
)

# Verbs that, with a registry source as subject, state its position without a quote
# ("Südkorea will ...", "Die USA halten ... für gefährlich").
GERMAN_POSITION = _words(
    """
    befürchten befürchtet bekräftigen bekräftigt beschuldigen beschuldigt bestreiten
    bestreitet betonen betont dementieren dementiert denken denkt drohen droht erwägen
    erwägt fordern fordert fürchten fürchtet haben halten hat hält kündigen kündigt
    lehnen lehnt planen plant sehen sieht verlangen verlangt warnen warnt weisen weist
    werfen will wirft wollen
    """
)

# "hat/haben" count as position verbs only together with one of these phrases.
GERMAN_POSITION_PHRASES = (
    "ins spiel gebracht",
    "eigenen angaben",
    "angekündigt",
    "gefordert",
    "erklärt",
    "zurückgewiesen",
    "vorgeworfen",
    "dementiert",
    "bestritten",
    "erwogen",
    "betont",
)

# Saying, opinion, stance and support predicates (PolNeAR counts them all as cues).
ENGLISH_SAY = _words(
    """
    accused accuses accusing acknowledge acknowledged acknowledges acknowledging added
    adding adds admits admitted admitting advocated agree agreed agrees alleged alleges
    announced announces announcing answered answers argued argues arguing asked asks
    asserted asserts attacked backed backs believe believed believes blamed blames
    blasted boasted boasts branded called calling calls characterized charged charges
    cited cites claimed claiming claims complained complains conceded concedes concluded
    condemned condemns confirmed confirms contended contends continued countered
    counters criticised criticized criticizes declared declares declaring decried
    decries defended defends demanded demands denied denies described describes
    disagreed disagrees dismissed dismisses disputed disputes doubt doubted doubts
    dubbed emphasised emphasized endorsed endorses estimated estimates expect expected
    expects explained explaining explains fear feared fears feel feels felt finds found
    highlighted highlights hope hoped hopes indicate indicated indicates insisted
    insisting insists joked jokes knew knows labeled labelled lamented laments learned
    maintained maintains mentioned mentions mocked mocks noted notes noting observed
    opposed opposes pledged pledges pointed praised praises predicted predicting
    predicts prefer preferred prefers promised promises promising proposed proposes
    questioned questions quipped read reads recalled recognised recognized refused
    refuses reiterated reiterates rejected rejects remarked remarks replied replies
    report reported reports responded responds reveal revealed reveals said say saying
    says show showed shows signaled signalled slammed stated states stressed stresses
    suggest suggested suggesting suggests support supported supports tell telling tells
    testified thanked thanks think thinks thought told touted touts tweeted tweets urged
    urges vowed vowing vows want wanted wants warned warning warns wonder wondered
    worried worries worry writes wrote confirm deny comment acknowledge
    """
)

# Words inside annotated English cues that are no verb of saying or thinking themselves.
_NOT_ENGLISH_CUES = _words(
    """
    according also assertion assumption aware chants complaints concern confident
    convinced criticism critique desire doubts eager footage impassioned known laid ll
    outspoken quick re reads reference skeptical speculation statement suggestion titled ve
    wary
    """
)

# The hand-written English verbs plus every form PolNeAR's train annotators marked as (part
# of) a cue in at least 40 % of its occurrences, seen at least five times as a cue.
ENGLISH_CUE_VERBS = ENGLISH_SAY | {
    form
    for form, (cue, seen) in _learned("cue", "en_cues.tsv").items()
    if form.isalpha()
    and not form.endswith("ly")
    and form not in _NOT_ENGLISH_CUES
    and cue >= 5
    and cue >= 0.4 * seen
}

ENGLISH_DENY = _words(
    """
    denied denies deny disputed disputes refuted rejected rejects
    """
)

# "Nach Angaben X", "Laut X" ...
GERMAN_ACCORDING_PREFIX = (
    "nach angaben",
    "laut",
    "nach einschätzung",
    "nach informationen",
    "nach darstellung",
    "nach ansicht",
    "nach auffassung",
    "gemäß",
)

# Konjunktiv I/II forms that mark reported speech continuing a speaker.
GERMAN_SUBJUNCTIVE = _words(
    """
    arbeite befinde befände befänden bereite bleibe dürfe erhalte erhielte erwäge gebe
    gehe ginge gäbe habe handele handle hätte hätten komme käme könne könnte
    könnten liege läge lägen müsse müsste müssten plane sehe sei seien seiest seist
    solle sollten stehe stünde trage tue täten werde wisse wolle wollten wäre wären
    würde würden wüsste
    """
)

# Konjunktiv I forms learned from free indirect speech in annotated news.
GERMAN_SUBJUNCTIVE |= set(_learned("subjunctive"))

GERMAN_CONTINUATION = _words(
    """
    außerdem demnach demzufolge ferner weiter zudem soll sollen
    """
)

HEDGES = _words(
    """
    alleged allegedly angeblich angebliche angeblichen anscheinend apparently could
    dürfte dürften könnte könnten likely may might mutmaßlich mutmaßliche mutmaßlichen
    mutmaßlicher mutmaßliches möglicherweise offenbar offenkundig possibly presumably
    probably purportedly reportedly scheinbar seemingly soll sollen supposedly suspected
    unconfirmed vermutlich wahrscheinlich womöglich
    """
)

# Modal verbs that hedge only weakly; a real hedge word wins over them.
WEAK_HEDGES = _words(
    """
    could könnte könnten likely may might soll sollen
    """
)

UNCERTAINTY = (
    "bleibe abzuwarten",
    "bleibt abzuwarten",
    "ist unklar",
    "sei unklar",
    "unklar ist",
    "nicht bekannt",
    "nicht klar",
    "remains to be seen",
    "remain to be seen",
    "is unclear",
    "was unclear",
    "not clear",
    "unknown whether",
    "could not confirm",
    "cannot confirm",
    "unable to confirm",
    "unclear whether",
    "noch nicht bestätigt",
    "ist offen",
)

DENIAL_PHRASES = (
    "weist das zurück",
    "wies das zurück",
    "weisen das zurück",
    "wiesen das zurück",
    "weist dies zurück",
    "wies dies zurück",
    "weist die vorwürfe zurück",
    "wies die vorwürfe zurück",
    "zurückgewiesen",
    "dementiert",
    "dementierte",
    "bestreitet",
    "bestritt",
    "denied",
    "denies",
    "rejected the",
    "dismissed",
    "falsely",
    "is not true",
    "was not true",
    "nicht zutreffend",
    "nicht wahr",
    "haltlos",
)

EXPECTATION_WORDS = (
    "bis ",
    "erwartet",
    "soll ",
    "sollen ",
    "wird ",
    "werden ",
    "wolle",
    "plant",
    "expected",
    "will ",
    "is set to",
    "are set to",
    "by the end of",
    "forecast",
    "predict",
)

PRONOUNS = _words(
    """
    diese dieser er es he her him ihm ihr it jener she sie them they
    """
)

# Role nouns that point back to the last named person whose role fits the hints.
ROLE_NOUNS = {
    "spitzendiplomat": ("minister", "diplomat", "foreign"),
    "chefdiplomat": ("minister", "diplomat", "foreign"),
    "außenminister": ("foreign minister",),
    "minister": ("minister",),
    "ministerin": ("minister",),
    "präsident": ("president",),
    "präsidentin": ("president",),
    "staatschef": ("president", "leader"),
    "kremlchef": ("president of russia",),
    "kanzler": ("chancellor",),
    "kanzlerin": ("chancellor",),
    "regierungschef": ("prime minister", "chancellor"),
    "sprecher": ("spokes",),
    "sprecherin": ("spokes",),
    "verteidigungsminister": ("defense", "defence"),
    "politiker": ("",),
    "secretary": ("secretary",),
    "president": ("president",),
    "spokesman": ("spokes",),
    "spokeswoman": ("spokes",),
    "senator": ("senator",),
    "governor": ("governor",),
    "official": ("",),
    "diplomat": ("diplomat", "minister"),
}

GERMAN_DETERMINERS = _words(
    """
    das dem den der des die ein eine einem einen einer eines ihr ihre ihrer sein seine
    seiner
    """
)

ENGLISH_DETERMINERS = _words(
    """
    a an her his its that the their this
    """
)

PREPOSITIONS = _words(
    """
    about against am an at auf aus bei beim by durch for from für gegen im in into mit
    nach of ohne on seit to um unter vom von vor with zu zum zur über
    """
)

MONTHS = {
    "januar": 1,
    "jänner": 1,
    "februar": 2,
    "märz": 3,
    "april": 4,
    "mai": 5,
    "juni": 6,
    "juli": 7,
    "august": 8,
    "september": 9,
    "oktober": 10,
    "november": 11,
    "dezember": 12,
    "january": 1,
    "february": 2,
    "march": 3,
    "may": 5,
    "june": 6,
    "july": 7,
    "october": 10,
    "december": 12,
}

# Vague quantities and what they mean.
VAGUE_NUMBERS = {
    "tausende": "thousands",
    "tausenden": "thousands",
    "hunderte": "hundreds",
    "hunderten": "hundreds",
    "dutzende": "dozens",
    "dutzenden": "dozens",
    "zehntausende": "tens of thousands",
    "thousands": "thousands",
    "hundreds": "hundreds",
    "dozens": "dozens",
    "tens of thousands": "tens of thousands",
}

SCALE_WORDS = {
    "million": 1000000.0,
    "millionen": 1000000.0,
    "mio": 1000000.0,
    "mio.": 1000000.0,
    "milliarde": 1000000000.0,
    "milliarden": 1000000000.0,
    "mrd": 1000000000.0,
    "mrd.": 1000000000.0,
    "billion": 1000000000.0,
    "billionen": 1000000000000.0,
    "tausend": 1000.0,
    "thousand": 1000.0,
    "hundert": 100.0,
    "hundred": 100.0,
}

# Units counted by figures, normalised to English.
UNITS: dict[str, str] = {
    "soldaten": "soldiers",
    "soldat": "soldiers",
    "soldiers": "soldiers",
    "soldier": "soldiers",
    # One dimension for military personnel, whatever the unit word: "3,000 troops" and
    # "3.000 Soldaten" are one quantity.
    "truppen": "soldiers",
    "troops": "soldiers",
    "streitkräfte": "soldiers",
    "forces": "soldiers",
    "personnel": "soldiers",
    "kämpfer": "soldiers",
    "fighters": "soldiers",
    "menschen": "people",
    "people": "people",
    "personen": "people",
    "tote": "deaths",
    "toten": "deaths",
    "deaths": "deaths",
    "dead": "deaths",
    "verletzte": "injured",
    "injured": "injured",
    "flüchtlinge": "refugees",
    "refugees": "refugees",
    "raketen": "missiles",
    "missiles": "missiles",
    "granaten": "shells",
    "shells": "shells",
    "panzer": "tanks",
    "tanks": "tanks",
    "drohnen": "drones",
    "drones": "drones",
    "dollar": "usd",
    "euro": "eur",
    "prozent": "percent",
    "percent": "percent",
    "%": "percent",
}


# Function words that occur inside annotated cues ("teilte mit", "wie ... sagte") but
# are no cue on their own.
_NOT_CUES = _words(
    """
    als an auf aus bekannt damit darauf darüber davon dazu dem den der des die ein eine
    einen es fest für hat hatte hatten haben hin hinzu ist klar mit möglich nach nicht
    sich sind so vor war waren werden wie wird worden wurde wurden zu zurück
    aufforderung demnach fazit gemäß heraus hervor hören laut these wonach worten zufolge
    """
)

# Reporting, opinion and judgement verbs: the hand-written list plus every form that is a
# cue in at least 35 % of its occurrences in the annotated German news.
# Verbs of belief and expectation that report a position as speech verbs report words.
GERMAN_BELIEF = _words(
    """
    befürchtet befürchtete befürchten bezweifelt bezweifelte bezweifeln erwartet erwartete
    erwarten fürchtet fürchtete glaubt glaubte glauben rechnet rechnete vermutet vermutete
    """
)

GERMAN_CUE_VERBS = (
    GERMAN_SAY
    | GERMAN_BELIEF
    | {
        form
        for form, (cue, seen) in _learned("cue").items()
        if form.isalpha() and form not in _NOT_CUES and cue >= 2 and cue >= 0.35 * seen
    }
)

# Nouns after "nach" that make it an attribution ("nach Angaben", "nach Ansicht"); the
# learned ones plus compounds ending in them ("Polizeiangaben").
GERMAN_NACH_NOUNS = {
    form for form, (cue, seen) in _learned("nach").items() if cue >= 3 and cue >= 0.25 * seen
} | _words(
    """
    analyse angaben ansicht aussagen auffassung berichten darstellung einschätzung
    erhebung erkenntnissen informationen meinung prognose schätzungen statistik studie
    umfrage untersuchung vernehmen worten
    """
)

# Separable particles that close a reporting verb's clause ("teilte ... mit").
GERMAN_PARTICLE_VERBS = {
    "teilte": "mit",
    "teilten": "mit",
    "teilt": "mit",
    "gab": "bekannt an zu",
    "gaben": "bekannt an zu",
    "gibt": "bekannt an zu",
    "kündigte": "an",
    "kündigten": "an",
    "kündigt": "an",
    "geht": "aus",
    "gehen": "aus",
    "ging": "aus",
    "gingen": "aus",
    "wies": "hin zurück",
    "weist": "hin zurück",
    "stellte": "fest klar",
    "stellt": "fest klar",
    "führte": "aus",
    "fügte": "hinzu",
    "schlug": "vor",
    "schlägt": "vor",
    "hob": "hervor",
    "hebt": "hervor",
    "warf": "vor",
    "wirft": "vor",
    "forderte": "auf",
    "fordert": "auf",
    "räumte": "ein",
    "räumt": "ein",
    "rief": "auf",
    "ruft": "auf",
    "sprach": "aus",
    "stimmte": "zu",
    "wandte": "ein",
    "gestand": "ein",
    "deutete": "an",
    "kam": "überein",
    "hielt": "fest",
}
