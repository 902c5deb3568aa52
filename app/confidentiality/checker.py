"""The matcher: finds anything in a text that could identify someone in a series' directory.

Every text that can leave the series (key points, session and series texts, agenda, themes,
newsletters as rendered, notes e-mailed to the public) is checked by the gate
(:mod:`app.confidentiality.gate`) with this matcher, built from the series' whole directory:

* **block** -- a person's name (full, family, given, alias, honorific + name, possessive or
  plural, a near-variant of the given name before the family name, a spelling or
  transliteration variant of the family name, the name written in Arabic script), their
  affiliation (full name with for/of, &/and, abbreviation and word-order variants, a country
  adjective moved in front, or the acronym, dotted or spaced), their e-mail address, and
  their full position when it is specific enough to be theirs alone;
* **warn** -- indirect identifiers: a shorter or shared position, a nationality attached to a
  person noun when someone in the directory has that nationality, a role in the session ("the
  chair"), first-person institutional quotes ("in our foreign ministry"), a family name that
  is also an ordinary word used in lower case as a speaker ("as young put it"), and a word
  that mixes scripts or carries direction controls.

The text is normalised first (:mod:`app.confidentiality.normalise`: compatibility letters,
invisible and direction controls, odd spaces, line-break hyphens, entities), and each token
is folded (:mod:`app.confidentiality.folding`: case, diacritics, look-alike letters,
transliteration, Arabic letter forms). Findings point into the text as given.

The matcher for a directory is built once (the gate caches it per directory version);
:meth:`Checker.check` tokenises the text once and looks tokens up in dictionaries (fuzzy
matches through a deletion-neighbourhood index), so its cost does not grow with the size of
the directory. Findings never carry person ids or directory data: only offsets, the matched
excerpt of the checked text, a generic message and a stable code derived from the excerpt.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, replace
from importlib import resources
from typing import Literal

from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from app.confidentiality.folding import (
    EXPANDED_LETTERS,
    arabic_key,
    arabic_skeleton,
    arabic_variants,
    deletions,
    fold,
    is_arabic,
    is_english_word,
    mixed_scripts,
    phonetic,
    within,
    written_pattern,
)
from app.confidentiality.normalise import BIDI_CONTROLS, Normalised, normalise

Severity = Literal["block", "warn"]
Kind = Literal["name", "affiliation", "position", "role", "descriptor", "quote", "disguise"]

__all__ = ["Checker", "Finding", "RosterEntry", "checker_for"]


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One person of a series' directory, as far as the checker needs to know them."""

    person_id: str
    given_name: str
    family_name: str
    honorific: str | None = None
    aliases: tuple[str, ...] = ()  # other spellings, nicknames, names in Arabic script
    position: str | None = None
    affiliation: str | None = None
    affiliation_acronym: str | None = None
    # Other names of the affiliation (in Dari, Pashto, Arabic; other English names)
    affiliation_aliases: tuple[str, ...] = ()
    country: str | None = None  # ISO 3166-1 alpha-2, upper case
    role: str | None = None  # chair|speaker|presenter|participant|rapporteur|observer
    email: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """Something in a text that could identify a participant.

    ``code`` is derived from the matched words only, so the same text checked against the
    same directory always yields the same codes; a warning is acknowledged by its code.
    """

    severity: Severity
    kind: Kind
    start: int
    end: int
    excerpt: str
    message: str
    code: str

    def as_dict(self) -> dict[str, object]:
        """Return the finding in the shape used by the HTTP API."""
        return {
            "severity": self.severity,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "excerpt": self.excerpt,
            "message": self.message,
            "code": self.code,
        }


# --------------------------------------------------------------------------------------------
# Data files, loaded once per process.


def _read(name: str) -> str:
    return resources.files("app.confidentiality.data").joinpath(name).read_text(encoding="utf-8")


def _word_lines(text: str) -> list[str]:
    words: list[str] = []
    for line in text.splitlines():
        if not line.startswith("#"):
            words.extend(line.split())
    return words


_VOCAB: dict[str, object] = json.loads(_read("vocab.json"))


def _vocab_list(key: str) -> frozenset[str]:
    value = _VOCAB[key]
    assert isinstance(value, list)
    return frozenset(str(v) for v in value)


def _vocab_map(key: str) -> dict[str, str]:
    value = _VOCAB[key]
    assert isinstance(value, dict)
    return {str(k): str(v) for k, v in value.items()}


# Words, keeping combining marks of decomposed (NFD) text inside the word: "Mu\u0308ller".
_TOKEN_RE = re.compile(r"[^\W_]+(?:[\u0300-\u036f]+[^\W_]*)*")
_EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_norm = fold


def _token_variants(raw: str) -> set[str]:
    out = {fold(raw)}
    folded = raw.casefold()
    expanded = folded.translate(EXPANDED_LETTERS)
    if expanded != folded:
        out.add(fold(expanded))
    return out


def _phonetic(norm: str) -> str:
    return phonetic(norm)


def _load_geo() -> tuple[
    dict[str, list[tuple[tuple[str, ...], tuple[str, ...], bool]]], frozenset[str]
]:
    """Country names and demonyms keyed by their first folded token.

    Each entry is (tokens, country codes, is_demonym); the longest entries come first.
    """
    entries: dict[tuple[tuple[str, ...], bool], set[str]] = {}
    for line in _read("countries.txt").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, names, demonyms = line.split("|")
        for field_text, is_dem in ((names, False), (demonyms, True)):
            for phrase in filter(None, (p.strip() for p in field_text.split(";"))):
                toks = tuple(_norm(t) for t in _TOKEN_RE.findall(phrase))
                entries.setdefault((toks, is_dem), set()).add(code)
    geo: dict[str, list[tuple[tuple[str, ...], tuple[str, ...], bool]]] = {}
    for (toks, is_dem), codes in entries.items():
        geo.setdefault(toks[0], []).append((toks, tuple(sorted(codes)), is_dem))
    for lst in geo.values():
        lst.sort(key=lambda e: (-len(e[0]), not e[2]))
    all_tokens = frozenset(t for toks, _ in entries for t in toks)
    return geo, all_tokens


_GEO, _GEO_TOKENS = _load_geo()
_COMMON = frozenset(_word_lines(_read("common_words.txt")))
_HONORIFICS = _vocab_list("honorifics")
_PARTICLES = _vocab_list("particles")
_PERSON_NOUNS = _vocab_list("person_nouns")
_DESC_ADJ = _vocab_list("descriptor_adjectives")
_DETERMINERS = _vocab_list("determiners")
_UNIQUE = _vocab_list("uniqueness_words")
_ROLE_NOUNS = _vocab_map("role_nouns")
_ROLE_PREFIXES = _vocab_list("role_prefixes")
_ROLE_DETERMINERS = _vocab_list("role_determiners")
# "President Bush", "Minister Long": an office holder, not a participant with a common-word name.
_OFFICE_TITLES = _vocab_list("office_titles")
_ROLE_BLOCKERS = _vocab_list("role_blockers")
# Before a word that only resembles a name, these make it a place ("a rally in Mansoura").
_PLACE_PREPOSITIONS = frozenset(
    {"in", "near", "outside", "inside", "around", "across", "towards", "toward", "via"}
)
# Titles before a given name that make it a historical, religious or royal figure.
_FIGURE_TITLES = _OFFICE_TITLES | {"mullah", "prophet", "imam", "ayatollah", "caliph", "hazrat"}
_INSTITUTIONS = _vocab_list("institution_nouns")
_QUOTE_PREPS = _vocab_list("quote_prepositions")
_I_VERBS = _vocab_list("i_verbs")
_SPEECH_VERBS = _vocab_list("speech_verbs")
_SPEECH_ADVERBS = _vocab_list("speech_adverbs")
_FIGURE_CONTEXT = _vocab_list("figure_context")
# Regional places spelled like a family name one letter away (a variant is the place).
_PLACES = frozenset(_norm(w) for w in _word_lines(_read("places.txt")))
# Before a name, a word that makes it a place ("Lake Nasser", "Fort Abbas").
_PLACE_TITLES = frozenset({"lake", "mount", "fort", "port", "cape", "camp", "wadi", "jebel"})
# Nouns that end the proper name of a place or an institution named after someone
# ("Hamad International Airport", "Hamad Bin Khalifa University").
_NAMED_AFTER = frozenset(
    {"airport", "university", "palace", "stadium", "hospital", "mosque", "bridge", "dam"}
    | {"street", "road", "avenue", "square", "park", "museum", "library", "port", "lake"}
    | {"college", "school", "hall", "centre", "center", "foundation", "prize", "award"}
    | {"agency"}
)
_MONTHS = _vocab_list("months")
_DATE_PREPS = _vocab_list("date_prepositions")
_POS_MODIFIERS = _vocab_list("position_modifiers")
_POS_JOINERS = _vocab_list("position_joiners")
_POS_WORDS = _vocab_list("position_words")
_POS_SYNONYMS = _vocab_map("position_synonyms")
_POS_RANKS = frozenset(_POS_SYNONYMS.get(w, w) for w in _vocab_list("position_ranks"))
_GENERIC_POS = _vocab_list("generic_position_words")
_ARTICLES = frozenset({"the", "a", "an"})
_WEEKDAYS = frozenset({"monday", "tuesday", "wednesday", "thursday", "friday", "saturday"})
# Words English capitalises anyway: a capital letter is no evidence that they are names.
_ALWAYS_CAPITALISED = _MONTHS | _WEEKDAYS | {"sunday"} | _GEO_TOKENS
_STATIC_POS_VOCAB = _POS_WORDS | _POS_MODIFIERS | _POS_JOINERS | frozenset(_POS_SYNONYMS)
_WEAK_WORDS = _COMMON | _GEO_TOKENS | _HONORIFICS | _PERSON_NOUNS | _PARTICLES


def _has_diacritics(raw: str) -> bool:
    return any(unicodedata.combining(c) for c in unicodedata.normalize("NFD", raw))


def _weak_word(norm: str) -> bool:
    """An ordinary word, whatever its length."""
    return norm in _WEAK_WORDS or is_english_word(norm)


def _weak(norm: str) -> bool:
    """An ordinary word (or a word that is no evidence of a name): a roster name spelled
    like one needs more evidence than its spelling ("Mills", "Young", "Rose")."""
    return norm in _WEAK_WORDS or len(norm) <= 2 or is_english_word(norm)


# Characters allowed between the tokens of one name ("al-Rashid", "O'Brien", "M. R.").
# A space before a Persian suffix that texts join with a zero-width non-joiner ("منطقه ای").
_PERSIAN_SUFFIX = re.compile(
    "(?<=[\u0600-\u06ff])[ \u200c](?=(?:[اآ][یيى]|\u0647[اآ][یيى]?|تر|تر[یيى]ن)(?![\u0600-\u06ff]))"
)
_NAME_JOIN = frozenset(" \t\n\r\u00a0-\u2010\u2011\u2012\u2013'\u2019.")
_HYPHENS = frozenset("-\u2010\u2011")
_APOSTROPHES = frozenset("'\u2019")
# A token after one of these starts a sentence, a bullet or a parenthesis.
_SENTENCE_BREAK = frozenset('.!?:;"\u201c\u201d\u2018(\u2022*\n\r\u2014')
_PHRASE_BREAK = _SENTENCE_BREAK | frozenset(",)[]")


# --------------------------------------------------------------------------------------------
# Matcher structures.

_LABEL_MESSAGES = {
    "full": "Matches a participant's full name",
    "family": "Matches a participant's family name",
    "given": "Matches a participant's given name",
    "alias": "Matches a name a participant is known by",
    "affiliation": "Matches a participant's affiliation",
    "acronym": "Matches the acronym of a participant's affiliation",
}
_MSG_NAME = "Matches a participant's name"
_MSG_VARIANT = "Resembles a participant's name (spelling variant)"
_MSG_SCRIPT = "Matches a participant's name written in another script"
_MSG_POSITION = "Matches a participant's position"
_MSG_FULL_POSITION = "Matches a participant's full position, which only they hold"
_MSG_DESCRIPTOR = "Describes a person by a nationality that a participant has"
_MSG_ROLE = "Refers to a participant by their role in the session"
_MSG_QUOTE = "First-person reference to an institution may identify the speaker"


class _Term:
    """A roster name or affiliation as a sequence of folded tokens."""

    __slots__ = ("acronym", "ids", "kind", "labels", "message", "single_name", "tokens", "weak")

    def __init__(self, tokens: tuple[str, ...]) -> None:
        self.tokens = tokens
        self.labels: set[str] = set()
        self.ids: frozenset[str] = frozenset()
        self.kind: Kind = "name"
        self.weak = False
        self.acronym = False
        self.single_name = False
        self.message = ""

    def finish(self) -> None:
        name_labels = self.labels & {"full", "family", "given", "alias"}
        self.kind = "name" if name_labels else "affiliation"
        shown = name_labels or self.labels
        self.message = (
            _LABEL_MESSAGES[next(iter(shown))]
            if len(shown) == 1
            else (_MSG_NAME if name_labels else _LABEL_MESSAGES["affiliation"])
        )
        self.acronym = self.labels == {"acronym"}
        # Single given/family names may belong to a public figure with a different full name.
        # (An alias that folds to the family name, "Юсупов" for Yusupov, is no other name.)
        self.single_name = len(self.tokens) == 1 and bool(name_labels - {"alias"})
        if self.acronym:
            # Short acronyms collide with words and other acronyms ("dim", "IIS"): capitals only.
            self.weak = len(self.tokens[0]) <= 3 or _weak(self.tokens[0])
        elif self.kind == "affiliation" and len(self.tokens) > 1:
            self.weak = False  # "Nordic Mediation Centre" is specific as a phrase
        elif len(self.tokens) == 1:
            self.weak = _weak(self.tokens[0])
        else:
            self.weak = all(_weak(t) for t in self.tokens)


class _Position:
    """One distinct position text, with the roster people holding it grouped by country."""

    __slots__ = ("by_country", "content", "need", "past", "ranks", "unique")

    def __init__(self, content: frozenset[str], ranks: frozenset[str], past: bool) -> None:
        self.content = content
        self.past = past  # "Former Commander of ...": the office has another holder now
        self.ranks = ranks
        self.need = min(3, len(content))
        self.by_country: dict[str, set[str]] = {}
        self.unique = False

    def finish(self) -> None:
        # A long position held by one person is as good as their name ("the Special Envoy for
        # Regional Dialogue and Maritime Security"); a short or shared one only narrows down.
        holders = set().union(*self.by_country.values())
        self.unique = len(holders) == 1 and len(self.content) >= _UNIQUE_POSITION_WORDS


_UNIQUE_POSITION_WORDS = 3
_PAST = frozenset(
    {"former", "ex", "then", "erstwhile", "onetime", "retired", "previous", "past", "outgoing"}
)


def _name_tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text)


def _family_forms(tokens: list[str]) -> list[list[str]]:
    """ "bin Jassim al-Kuwari" is also written "al-Kuwari" and "Kuwari"."""
    forms = [tokens]
    lowered = [_norm(t) for t in tokens]
    for k, t in enumerate(lowered):
        if t in _PARTICLES and k + 1 < len(tokens):
            forms.append(tokens[k:])
            forms.append(tokens[k + 1 :])
    if lowered and lowered[0] in _PARTICLES and len(tokens) > 1:
        forms.append(tokens[1:])
    out: list[list[str]] = []
    for f in forms:
        if f and f not in out and not all(_norm(t) in _PARTICLES for t in f):
            out.append(f)
    return out


def _position_content(tokens: Iterable[tuple[str, str]]) -> tuple[frozenset[str], set[str]]:
    """Return (content words, country codes) of part of a position phrase.

    ``tokens`` yields (raw, folded). Callers split the phrase at its head noun: country words
    before it are a nationality ("the Afghan ambassador"), after it they are part of the office
    ("ambassador to Pakistan").
    """
    content: set[str] = set()
    countries: set[str] = set()
    for raw, norm in tokens:
        geo = _single_geo(norm, raw)
        if geo is not None:
            countries.update(geo)
            continue
        mapped = _POS_SYNONYMS.get(norm, norm)
        if mapped and mapped not in _POS_JOINERS and mapped not in _POS_MODIFIERS:
            content.add(mapped)
    return frozenset(content), countries


def _single_geo(norm: str, raw: str) -> tuple[str, ...] | None:
    if not raw[:1].isupper():
        return None
    for toks, codes, _ in _GEO.get(norm, ()):
        if len(toks) == 1:
            return codes
    return None


# --------------------------------------------------------------------------------------------
# Affiliations as bags of words.

_AFF_STOP = frozenset(
    {"the", "of", "for", "and", "on", "in", "at", "to", "de", "du", "des", "la", "le", "et", "a"}
)
# Abbreviations organisers and rapporteurs use for the words of institutions' names.
_AFF_ABBREVIATIONS = {
    "inst": "institute",
    "instit": "institute",
    "intl": "international",
    "int": "international",
    "internat": "international",
    "ctr": "center",
    "cntr": "center",
    "cen": "center",
    "univ": "university",
    "uni": "university",
    "dept": "department",
    "natl": "national",
    "nat": "national",
    "assn": "association",
    "assoc": "association",
    "acad": "academy",
    "soc": "society",
    "govt": "government",
    "min": "ministry",
    "fdn": "foundation",
    "fndn": "foundation",
    "found": "foundation",
    "res": "research",
    "stud": "study",
    "dev": "development",
    "coop": "cooperation",
    "strat": "strategic",
    "econ": "economic",
    "pol": "policy",
    "reg": "regional",
    "mgmt": "management",
    "sci": "science",
    "corp": "corporation",
    "org": "organization",
    "cttee": "committee",
    "lab": "laboratory",
    "labs": "laboratory",
    "laboratories": "laboratory",
    # "the Omani foreign ministry" is the Ministry of Foreign Affairs of Oman.
    "affairs": "",
    "affair": "",
    "studies": "study",
    "relations": "relation",
    "mfa": "mfa",
    "mofa": "mfa",
    "eu": "european",
}
_ABBREVIATED = frozenset(_AFF_ABBREVIATIONS)


@functools.lru_cache(maxsize=100_000)
def _aff_word(norm: str) -> str:
    """A word of an institution's name as it is compared: abbreviations spelled out,
    singular, a country name or adjective as its country code; '' for a joining word."""
    w = _AFF_ABBREVIATIONS.get(norm, norm)
    if not w or w in _AFF_STOP or len(w) == 1:
        return ""  # joining words, and the "s" of "Women's"
    for toks, codes, _ in _GEO.get(w, ()):
        if len(toks) == 1:
            return "cc:" + codes[0]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
        return w[:-1]
    return w


@dataclass(frozen=True, slots=True)
class _Affiliation:
    content: frozenset[str]
    ids: frozenset[str]


class _AffiliationIndex:
    """Each affiliation of two or more words, under its rarest word."""

    def __init__(self, entries: Iterable[tuple[list[str], str]]) -> None:
        grouped: dict[frozenset[str], set[str]] = {}
        for raws, pid in entries:
            content = frozenset(w for w in (_aff_word(_norm(r)) for r in raws) if w)
            if len(content) >= 2:
                grouped.setdefault(content, set()).add(pid)
            if {"ministry", "foreign"} <= content:
                # "the Omani MFA", "Oman's MoFA": the ministry by its usual initials.
                short = (content - {"ministry", "foreign"}) | {"mfa"}
                if len(short) >= 2:
                    grouped.setdefault(short, set()).add(pid)
        frequency: dict[str, int] = {}
        for content in grouped:
            for w in content:
                frequency[w] = frequency.get(w, 0) + 1
        self.by_anchor: dict[str, list[_Affiliation]] = {}
        for content, ids in grouped.items():
            words = [w for w in content if not w.startswith("cc:")] or list(content)
            anchor = min(words, key=lambda w: (frequency[w], w in _COMMON, -len(w), w))
            self.by_anchor.setdefault(anchor, []).append(_Affiliation(content, frozenset(ids)))


_BAG_BREAK = frozenset("!?;\n\r\u2022")
# Arabic and Persian words after a family name that make it an organisation or a place
# ("the Haqqani network"): network, movement, family, tribe, group, district.
_ARABIC_FIGURE_CONTEXT = frozenset(
    fold(w)
    for w in (
        "شبكة",
        "شبکه",
        "حركة",
        "جنبش",
        "عائلة",
        "خانواده",
        "قبيلة",
        "جماعة",
        "منطقة",
        "ولاية",
        "ولایت",
        "مدينة",
        "شهر",
        "شارع",
        "سرک",
        "مسجد",
        "نهر",
        "رود",
        "سد",
        "بند",
        "مديرية",
        "ولسوالی",
        "قرية",
        "قریه",
        "حي",
        "مدرسة",
        "مدرسه",
        "آل",
        "قبیله",
        "طایفه",
        "حزب",
        "جبهة",
        "جبهه",
        "عهد",
        "دوران",
        "حكومة",
        "حکومت",
        "إدارة",
        "اداره",
        "مطار",
        "حرم",
        "ضريح",
        "مقام",
        # A governor of, a tribe, a district named so ("والی وردک", "قوم پوپلزی")
        "والی",
        "والي",
        "قوم",
        "ولسوالي",
        "ولسوالۍ",
        "حوزه",
        "دره",
        "ولس",
        # "Jalal al-Din Haqqani": the end of someone else's compound given name
        "الدين",
        "الدین",
    )
)


# Very common Dari, Pashto and Arabic words (see the data file): alone, not a family name
# read through the transliteration skeleton.
_ARABIC_COMMON = frozenset(fold(w) for w in _word_lines(_read("arabic_script_common.txt")))
_ARABIC_GIVEN = frozenset(fold(w) for w in _word_lines(_read("arabic_script_given_names.txt")))
# Arabic-script honorifics: after one, a common word may well be a family name ("دکتر خیلی").
_ARABIC_HONORIFICS = frozenset(
    fold(w)
    for w in (
        "دکتر",
        "داکتر",
        "دكتور",
        "الدكتور",
        "د.",
        "سفیر",
        "سفير",
        "السفير",
        "آقای",
        "اقای",
        "آقا",
        "خانم",
        "بانو",
        "ښاغلی",
        "ښاغلي",
        "میرمن",
        "استاد",
        "الأستاذ",
        "الاستاذ",
        "السيد",
        "السيدة",
        "سید",
        "حاجی",
        "الحاج",
        "مولوی",
        "شیخ",
        "الشيخ",
        "جناب",
        "محترم",
        "محترمه",
        "پروفیسور",
        "پروفسور",
        "بروفيسور",
        "البروفيسور",
        "وزیر",
        "الوزير",
        "جنرال",
        "انجنیر",
        "المهندس",
    )
)


def _arabic_common(norm: str) -> bool:
    """A very common word of Dari, Pashto or Arabic, perhaps with an attached article or
    conjunction ("وحوالي")."""
    return norm in _ARABIC_COMMON or any(v in _ARABIC_COMMON for v in arabic_variants(norm)[1:])


def _arabic_context(norm: str) -> bool:
    """A noun that makes the name next to it a place, a group or a shrine (with or without
    the article or a conjunction attached)."""
    return norm in _ARABIC_FIGURE_CONTEXT or any(
        v in _ARABIC_FIGURE_CONTEXT for v in arabic_variants(norm)[1:]
    )


# "bin", "ibn", "bint": the given name after one is a father's (see :meth:`Checker._accept`).
_PATRONYMIC = frozenset({"bin", "ibn", "bint", "binti"})
# The end of a compound given name written as one word ("سراج‌الدين", "عبدالله"): the next
# word is that person's family name, not a participant's.
_ARABIC_COMPOUND_ENDINGS = tuple(fold(w) for w in ("الدين", "الدین", "الله"))
# After a speaker's name in notes: a colon or a dash, perhaps after a parenthesis ("YOUNG
# (NPL):", "Young \u2014 the corridor ...", "Mills said:").
_LABEL = re.compile(
    r"[ \t]*(?:\([^()\n]{0,40}\)[ \t]*)?(?::|[\u2014\u2013]|--?[ \t]|>>?|/[ \t]*[A-Z])"
)
# Finite verbs that follow a subject ("Young had a different view"); with a past participle
# in -ed, only when a function word or the end follows ("Young intervened twice", but not
# "Young educated women").
_FINITE_VERBS = frozenset(
    "had has was is will would could should did does made took gave put went came wrote spoke"
    " led drew brought left saw sees pushed".split()
)
_AFTER_VERB = frozenset(
    "on in at to for with against about over that twice again back strongly firmly sharply"
    " by from into the a an this these those his her their its our any some no".split()
)
# Speech verbs that a thing can do as well ("Mills closed", "Wells reported dry"): after a
# family name that is a plural noun they prove nothing.
_THING_VERBS = frozenset(
    "closed closes opened opens offered offers reported reports presented presents states"
    " shares shared calls called questions doubts points notes remarks claims raises raised"
    " cites estimates estimated predicts predicted indicates indicated reveals revealed"
    " outlines outlined describes welcomes expresses feels felt".split()
)


def _bag_break(s: _Scan, k: int) -> bool:
    """Whether a sentence ends between tokens k-1 and k (an abbreviation's dot does not)."""
    gap = s.gap(k)
    if any(c in _BAG_BREAK for c in gap):
        return True
    if "." in gap:
        prev = s.norms[k - 1]
        return not (prev in _ABBREVIATED or len(s.raws[k - 1]) == 1)
    return False


def _bag_span(s: _Scan, words: list[str], i: int, aff: _Affiliation) -> tuple[int, int] | None:
    """The tokens around ``i`` that hold every word of ``aff`` within one phrase, if any."""
    size = len(aff.content)
    reach = size + 3
    lo = i
    while lo > 0 and i - lo < reach and not _bag_break(s, lo):
        lo -= 1
    hi = i + 1
    while hi < s.n and hi - i <= reach and not _bag_break(s, hi):
        hi += 1
    where: dict[str, int] = {}
    for k in range(lo, hi):
        w = words[k]
        if w in aff.content and (w not in where or abs(k - i) < abs(where[w] - i)):
            where[w] = k
    if len(where) < size:
        return None
    a, b = min(where.values()), max(where.values()) + 1
    if b - a > 2 * size + 2:
        return None
    if size < 3 and not any(s.raws[k][:1].isupper() for k in where.values()):
        return None
    return a, b


def _named_as_proper(s: _Scan, a: int, b: int, words: list[str]) -> bool:
    """Whether the words of a matched affiliation are written as a proper name: most of
    them capitalised (a capital at the start of a sentence is no evidence), or in a text
    that shouts. "a regional studies institute in Tehran" describes; "the Tehran Institute
    of Regional Studies" names."""
    content = [k for k in range(a, b) if words[k]]
    if s.shouting():
        return True
    caps = sum(
        1 for k in content if s.raws[k][:1].isupper() and not (k == a and s.sentence_start(k))
    )
    return caps * 2 >= len(content)


def _institution_key(name: str | None) -> tuple[str, ...]:
    words = [_aff_word(_norm(t)) for t in _TOKEN_RE.findall(name or "")]
    return tuple(w for w in words if w)


def _in_source(norm: Normalised, found: list[Finding], extra: list[Finding]) -> list[Finding]:
    """Findings located in the source text, one per place and kind, in text order."""
    seen: set[tuple[int, int, str, str]] = set()
    out: list[Finding] = []
    for f in found:
        if norm.origin is not None:
            a, b = norm.source_span(f.start, f.end)
            f = replace(f, start=a, end=b, excerpt=norm.source[a:b])
        key = (f.start, f.end, f.severity, f.kind)
        if key not in seen:
            seen.add(key)
            out.append(f)
    for f in extra:
        key = (f.start, f.end, f.severity, f.kind)
        if key not in seen:
            seen.add(key)
            out.append(f)
    out.sort(key=lambda f: (f.start, f.end, f.kind))
    return out


# --------------------------------------------------------------------------------------------


class Checker:
    """Non-attribution checker for one roster; build once, call :meth:`check` many times."""

    def __init__(
        self, roster: Sequence[RosterEntry], *, public_institutions: Sequence[str] = ()
    ) -> None:
        """``public_institutions``: names the public texts carry by design (the series'
        organiser and partners); a participant affiliated with one is not identified by it."""
        terms: dict[tuple[str, ...], _Term] = {}
        public = {_institution_key(name) for name in public_institutions}
        self._all_ids = frozenset(e.person_id for e in roster)
        self._honorifics = set(_HONORIFICS)
        # Acronyms in their own mixed case ("MoRR"), spelled out letter by letter.
        self._acronyms_as_written: set[str] = set()

        def add(raw_tokens: Sequence[str], label: str, pid: str) -> None:
            if not raw_tokens:
                return
            per_token = [sorted(_token_variants(t)) for t in raw_tokens]
            for key in itertools.islice(itertools.product(*per_token), 16):
                term = terms.get(key)
                if term is None:
                    term = terms[key] = _Term(key)
                term.labels.add(label)
                term.ids = term.ids | {pid}
            if len(raw_tokens) > 1 and label != "affiliation":
                add(["".join(raw_tokens)], label, pid)

        phonetic: dict[str, set[str]] = {}
        near: dict[str, set[str]] = {}
        given_by_id: dict[str, set[str]] = {}
        family_by_id: dict[str, set[str]] = {}
        # Family names that are ordinary words ("Young", "Mills"): a misspelling of one
        # counts only where a person stands ("Younge argued", "Mils: ...").
        weak_near: dict[str, set[str]] = {}
        emails: dict[str, set[str]] = {}
        affiliations: list[tuple[list[str], str]] = []
        written: dict[str, list[tuple[re.Pattern[str], frozenset[str]]]] = {}
        # Given names as a translator writes them (see :meth:`_arabic_given`).
        written_given: dict[str, list[tuple[re.Pattern[str], str]]] = {}
        pairs: dict[str, list[tuple[re.Pattern[str], re.Pattern[str], str]]] = {}
        positions: dict[tuple[str, frozenset[str]], _Position] = {}
        countries: dict[str, set[str]] = {}
        roles: dict[str, set[str]] = {}
        pos_vocab: set[str] = set(_STATIC_POS_VOCAB)

        for e in roster:
            pid = e.person_id
            given = _name_tokens(e.given_name)
            family = _name_tokens(e.family_name)
            family_forms = _family_forms(family)
            given_forms = [given] + ([["".join(given)]] if len(given) > 1 else [])
            for g in given_forms:
                for f in family_forms:
                    add(g + f, "full", pid)
                    add(f + g, "full", pid)
                if len(given) > 1:
                    add(given[:1] + family_forms[-1], "full", pid)
            for f in family_forms:
                add(f, "family", pid)
            family_by_id[pid] = {
                _norm(t) for t in family if _norm(t) not in _PARTICLES and len(t) >= 3
            }
            if len(family) > 1:
                # "bin Jassim al-Kuwari": each distinctive part is used on its own too.
                for part in family:
                    if len(part) > 2 and not _weak(_norm(part)):
                        add([part], "family", pid)
            for g in given_forms:
                add(g, "given", pid)
            given_by_id[pid] = {_norm(t) for g in given_forms for t in g}
            for alias in e.aliases:
                tokens = _name_tokens(alias)
                add(tokens, "alias", pid)
                if tokens and not is_arabic(alias):
                    given_by_id[pid].add(_norm(tokens[0]))
            if e.email:
                emails.setdefault(e.email.strip().lower(), set()).add(pid)
            if e.honorific:
                self._honorifics.update(_norm(t) for t in _name_tokens(e.honorific) if len(t) > 1)
            public_affiliation = bool(e.affiliation) and _institution_key(e.affiliation) in public
            if e.affiliation and not public_affiliation:
                aff = _name_tokens(e.affiliation)
                if aff and _norm(aff[0]) == "the":
                    aff = aff[1:]
                add(aff, "affiliation", pid)
                affiliations.append((aff, pid))
                # Institutions are called by their initials even when the directory gives
                # none ("NPL" for the Nordic Peace Lab).
                initials = "".join(t[0] for t in aff if _aff_word(_norm(t)) and not t[0].isdigit())
                if len(initials) >= 3 and initials.lower() != _norm(e.affiliation_acronym or ""):
                    add([initials.upper()], "acronym", pid)
            if e.affiliation_acronym and not public_affiliation:
                add(_name_tokens(e.affiliation_acronym), "acronym", pid)
                self._acronyms_as_written.add(e.affiliation_acronym.replace(".", ""))
            # The affiliation's other names, indexed as the affiliation is (the guard cannot
            # translate: only the names the organisers gave). Also as texts are read, where
            # "منطقه‌ای" loses its zero-width non-joiner ("منطقه ای" is the name as given).
            for other in () if public_affiliation else e.affiliation_aliases:
                if _institution_key(other) in public:
                    continue
                glued = _PERSIAN_SUFFIX.sub("", other)  # "منطقه ای" as a text has it
                for form in dict.fromkeys((other, normalise(other).text, glued)):
                    aff = _name_tokens(form)
                    if aff and _norm(aff[0]) == "the":
                        aff = aff[1:]
                    if not aff:
                        continue
                    add(aff, "affiliation", pid)
                    affiliations.append((aff, pid))
                    initials = "".join(
                        t[0] for t in aff if _aff_word(_norm(t)) and not t[0].isdigit()
                    )
                    if len(initials) >= 3 and not is_arabic(other):
                        add([initials.upper()], "acronym", pid)
            # Spelling variants of family names (Hosseini/Husseini). Not of given names: too
            # many public figures share a given name spelled another way (Khalid/Khaled).
            latin_aliases = [_name_tokens(a) for a in e.aliases if not is_arabic(a)]
            joined = ["".join(f) for f in family_forms if len(f) > 1]
            for part in itertools.chain(family, joined, *(a[-1:] for a in latin_aliases)):
                n = _norm(part)
                if len(n) >= 4 and not _weak(n) and n not in _PARTICLES:
                    phonetic.setdefault(_phonetic(n), set()).add(pid)
                    if within(len(n)):
                        near.setdefault(n, set()).add(pid)
                elif len(n) >= 4 and n not in _PARTICLES:
                    weak_near.setdefault(n, set()).add(pid)
            # The same names as a translator writes them in Arabic script: each distinctive
            # one alone, and given + family name together however short ("Paul Young").
            for part in itertools.chain(family, given, *latin_aliases):
                n = _norm(part)
                if n in _PARTICLES:
                    continue
                found = written_pattern(n)
                if found is not None:
                    skeletons, pattern = found
                    for skeleton in skeletons:
                        written.setdefault(skeleton, []).append((pattern, frozenset({pid})))
            for part in given:
                found = written_pattern(_norm(part), shortest=2)
                if found is not None and _norm(part) not in _PARTICLES:
                    for skeleton in found[0]:
                        written_given.setdefault(skeleton, []).append((found[1], pid))
            family_last = [t for t in family if _norm(t) not in _PARTICLES][-1:]
            for first in given[:1]:
                gw = written_pattern(_norm(first), shortest=2)
                for last in family_last:
                    fw = written_pattern(_norm(last), shortest=2)
                    if gw is not None and fw is not None:
                        for skeleton in gw[0]:
                            pairs.setdefault(skeleton, []).append((gw[1], fw[1], pid))
            # A name given in Arabic script: its last word alone is the family name.
            for alias in e.aliases:
                tokens = _name_tokens(alias)
                if is_arabic(alias) and len(tokens) > 1 and len(_norm(tokens[-1])) >= 3:
                    add(tokens[-1:], "family", pid)
            if e.country:
                countries.setdefault(e.country.upper(), set()).add(pid)
            if e.role:
                roles.setdefault(e.role.lower(), set()).add(pid)
            if e.position:
                self._add_position(e, positions, pos_vocab)

        for term in terms.values():
            term.finish()
        self._single: dict[str, _Term] = {}
        # Keyed by the first two tokens, so that a frequent first token ("said", "hope") shared
        # by many roster names does not make every occurrence try all of them.
        self._multi: dict[str, dict[str, list[_Term]]] = {}
        for key, term in terms.items():
            if len(key) == 1:
                self._single[key[0]] = term
            else:
                self._multi.setdefault(key[0], {}).setdefault(key[1], []).append(term)
        for by_second in self._multi.values():
            for lst in by_second.values():
                lst.sort(key=lambda t: -len(t.tokens))
        self._name_tokens = frozenset(t for key in terms for t in key)
        self._phonetic = {k: frozenset(v) for k, v in phonetic.items()}
        self._near_ids = {k: frozenset(v) for k, v in near.items()}
        # Deletion neighbourhoods of the family names (and their transliteration keys): a
        # word's own deletions meet a name's within the allowed distance, in a few lookups.
        self._near_index: dict[str, set[str]] = {}
        for name in self._near_ids:
            for variant in deletions(name, within(len(name))):
                self._near_index.setdefault(variant, set()).add(name)
        self._near_cache: dict[str, frozenset[str] | None] = {}
        # Raw tokens that no name rule can start on, whatever their neighbours (see
        # :meth:`_inert`): the name scan steps over them with one dictionary lookup.
        self._inert_cache: dict[str, bool] = {}
        self._phonetic_index: dict[str, set[str]] = {}
        for pkey in self._phonetic:
            if len(pkey) >= 6:
                for pvariant in deletions(pkey, 1):
                    self._phonetic_index.setdefault(pvariant, set()).add(pkey)
        # Given names (exact) and every form of each person's family name, for "Paul Yong"
        # and "Dr. Yung": a misspelt family name beside the given name or an honorific.
        self._given_index: dict[str, set[str]] = {}
        for given_pid, givens in given_by_id.items():
            for given_norm in givens:
                self._given_index.setdefault(given_norm, set()).add(given_pid)
        self._family_by_id = family_by_id
        # Words after which a capitalised word may be a misspelt family name (see
        # :meth:`_beside_name`): given names and honorifics.
        self._beside_triggers = frozenset(self._given_index) | frozenset(self._honorifics)
        self._weak_near = {k: frozenset(v) for k, v in weak_near.items()}
        self._weak_near_cache: dict[str, frozenset[str]] = {}
        self._weak_near_index: dict[str, set[str]] = {}
        for wname in self._weak_near:
            for wvariant in deletions(wname, 1):
                self._weak_near_index.setdefault(wvariant, set()).add(wname)
        # First pieces of distinctive names split in two ("Kari mova"): a set lookup per word
        # decides whether the pair is worth joining.
        self._split_prefixes = frozenset(
            key[0][:k]
            for key, term in terms.items()
            if len(key) == 1 and term.kind == "name" and len(key[0]) >= 4
            for k in range(2, len(key[0]) - 1)
        )
        self._given_by_id = given_by_id
        self._emails = {k: frozenset(v) for k, v in emails.items()}
        self._written = written
        self._written_given = written_given
        self._written_pairs = pairs
        self._acronyms = {t.tokens[0]: t for t in self._single.values() if "acronym" in t.labels}
        self._affiliations = _AffiliationIndex(affiliations)
        self._countries = {k: frozenset(v) for k, v in countries.items()}
        self._roles = {k: frozenset(v) for k, v in roles.items()}
        self._positions: dict[str, list[_Position]] = {}
        for (head, _), pos in positions.items():
            pos.finish()
            self._positions.setdefault(head, []).append(pos)
        self._pos_vocab = frozenset(pos_vocab)
        # Every word on which a rule of :meth:`_indirect` starts or continues.
        self._indirect_cues = (
            self._pos_vocab | frozenset(_GEO) | frozenset(_ROLE_NOUNS) | {"my", "our", "i", "we"}
        )
        # The words of a run that can head a roster position: a run without one matches
        # nothing (see :meth:`_position_run`), so it is not examined.
        self._pos_head_words = frozenset(
            w for w in self._indirect_cues if _POS_SYNONYMS.get(w, w) in self._positions
        )

    @staticmethod
    def _add_position(
        e: RosterEntry, positions: dict[tuple[str, frozenset[str]], _Position], vocab: set[str]
    ) -> None:
        assert e.position is not None
        # "Senior Fellow, Atlantic Policy Institute": the office is before the comma.
        text = e.position.split(",")[0]
        raws = _name_tokens(text)
        norms = [_norm(r) for r in raws]
        vocab.update(norms)
        content_idx = [
            k
            for k, n in enumerate(norms)
            if n not in _POS_JOINERS and n not in _POS_MODIFIERS and _POS_SYNONYMS.get(n, n)
        ]
        if not content_idx:
            return
        # The head noun is the last content word before the first preposition.
        head_k = content_idx[-1]
        for k, n in enumerate(norms):
            if n in {"of", "for", "to", "in", "at", "on"} and k > content_idx[0]:
                head_k = max(i for i in content_idx if i < k)
                break
        head = _POS_SYNONYMS.get(norms[head_k], norms[head_k])
        pre, _ = _position_content(zip(raws[:head_k], norms[:head_k], strict=True))
        post, post_codes = _position_content(
            zip(raws[head_k + 1 :], norms[head_k + 1 :], strict=True)
        )
        content = pre | post | {head} | {"cc:" + c for c in post_codes}
        words = {w for w in content if not w.startswith("cc:")}
        if words <= _GENERIC_POS or (len(content) == 1 and head in _PERSON_NOUNS):
            return  # "Senior Fellow", "Professor": too common to point at anyone
        ranks = frozenset(content & _POS_RANKS)
        pos = positions.get((head, content))
        if pos is None:
            pos = positions[(head, content)] = _Position(
                frozenset(content), ranks, any(n in _PAST for n in norms)
            )
        pos.by_country.setdefault((e.country or "").upper(), set()).add(e.person_id)

    # ----------------------------------------------------------------------------------------

    def check(
        self, text: str, *, allowed_person_ids: Collection[str] = frozenset()
    ) -> list[Finding]:
        """Return the findings for ``text``, sorted by start offset (offsets into ``text``).

        ``allowed_person_ids`` are people who consented to be named (on-record part): a match
        is dropped only if every person it could refer to is allowed.
        """
        allowed = (
            allowed_person_ids
            if isinstance(allowed_person_ids, frozenset)
            else frozenset(allowed_person_ids)
        )
        norm = normalise(text)
        out: list[Finding] = []
        scan = self._scan(norm.text)
        emailed = self._emails_of(norm.text, allowed, out) if "@" in norm.text else set()
        if scan is not None:
            scan.allowed = allowed
            scan.named |= emailed
            self._names(scan, allowed, out)
            self._affiliation_bags(scan, allowed, out)
            scan.settle(out)
            self._indirect(scan, allowed, out)
            self._disguised_words(scan, out)
        for a, b in norm.reversed_spans:
            # A right-to-left override shows this span backwards: read it as it is shown.
            shown = self._scan(norm.text[a:b][::-1])
            if shown is None:
                continue
            found: list[Finding] = []
            shown.allowed = allowed
            self._names(shown, allowed, found)
            self._affiliation_bags(shown, allowed, found)
            shown.settle(found)
            out.extend(replace(f, start=b - f.end, end=b - f.start) for f in found)
        return _in_source(norm, out, self._control_findings(norm))

    @staticmethod
    def _scan(text: str) -> _Scan | None:
        spans = [m.span() for m in _TOKEN_RE.finditer(text)]
        return _Scan(text, spans) if spans else None

    # -- names and affiliations ---------------------------------------------------------------

    def _names(self, s: _Scan, allowed: frozenset[str], out: list[Finding]) -> None:
        norms = s.norms
        n = s.n
        single = self._single
        multi = self._multi
        raws = s.raws
        split_prefixes = self._split_prefixes
        beside = self._beside_triggers
        inert = self._inert_cache
        i = 0
        while i < n:
            norm = norms[i]
            raw = raws[i]
            flag = inert.get(raw)
            if flag is None:
                flag = self._inert(raw, norm)
                if len(inert) < 50_000:
                    inert[raw] = flag
            # Only the rule for a misspelt family name beside a given name or an honorific
            # depends on the neighbours: an inert token is skipped unless it may be one.
            if flag and (i == 0 or not raw[:1].isupper() or norms[i - 1] not in beside):
                i += 1
                continue
            if len(raw) == 1 and raw.isalpha():
                j = self._spelled_acronym(s, i, allowed, out)
                if j > i:
                    i = j
                    continue
            matched: tuple[_Term, int] | None = None
            by_second = multi.get(norm)
            cands = by_second.get(norms[i + 1]) if by_second is not None and i + 1 < n else None
            if cands is not None:
                for term in cands:
                    j = i + len(term.tokens)
                    if (
                        j <= n
                        and self._multi_fits(s, term.tokens, i)
                        and self._accept(s, term, i, j)
                    ):
                        matched = (term, j)
                        break
            if matched is None:
                term1 = single.get(norm)
                if term1 is not None:
                    if self._accept(s, term1, i, i + 1):
                        matched = (term1, i + 1)
                    elif term1.single_name and term1.weak:
                        self._ambiguous_lower_case(s, term1, i, allowed, out)
                elif norm in split_prefixes and (split := self._split_name(s, i)) is not None:
                    self._settle(s, out, split.ids, i, i + 2, split.kind, split.message, name=True)
                    i += 2
                    continue
                elif not raw.isascii() and is_arabic(raw):
                    taken = self._arabic(s, i, allowed, out)
                    if taken:
                        i += taken
                        continue
                elif (
                    i > 0
                    and norms[i - 1] in beside
                    and raw[:1].isupper()
                    and (pair := self._beside_name(s, i)) is not None
                ):
                    first, pair_ids = pair
                    self._settle(s, out, pair_ids, first, i + 1, "name", _MSG_VARIANT, name=True)
                    i += 1
                    continue
                elif (
                    raw[-1] == "s"
                    and raw[0].isupper()
                    and (acr := self._acronym_plural(s, i)) is not None
                ):
                    self._settle(s, out, acr.ids, i, i + 1, acr.kind, acr.message, name=False)
                    i += 1
                    continue
                elif len(norm) >= 4:
                    ids = self._variant_ids(s, i)
                    if ids is not None:
                        if allowed and len(ids) > 1 and not ids <= allowed:
                            ids = self._narrowed(s, i, i + 1, ids)
                        self._settle(s, out, ids, i, i + 1, "name", _MSG_VARIANT, name=True)
                        i += 1
                        continue
            if matched is None:
                i += 1
                continue
            term, j = matched
            ids = term.ids
            if allowed and len(ids) > 1 and not ids <= allowed:
                ids = self._narrowed(s, i, j, ids)
            self._settle(s, out, ids, i, j, term.kind, term.message, name=not term.acronym)
            i = j

    def _inert(self, raw: str, norm: str) -> bool:
        """No rule of :meth:`_names` can start on this token, whatever its neighbours (the
        rule for a name beside a given name or an honorific excepted): not a spelled-out
        letter, no roster name starts with it, not the first piece of a split name, not
        Arabic script, not a capitalised plural (an acronym's), and :meth:`_variant_ids`
        rejects it on its spelling alone (an ordinary word, an honorific, or short)."""
        if len(raw) == 1 and raw.isalpha():
            return False
        if norm in self._multi or norm in self._single or norm in self._split_prefixes:
            return False
        if not raw.isascii() and is_arabic(raw):
            return False
        upper = raw[:1].isupper()
        if raw[-1] == "s" and upper:
            return False
        return (
            len(norm) < 4
            or _weak(norm)
            or norm in self._honorifics
            or (not upper and len(norm) < 6)
        )

    def _narrowed(self, s: _Scan, i: int, j: int, ids: frozenset[str]) -> frozenset[str]:
        """A name part shared by several people ("Tariq"), inside a run of name words that
        only one of them has ("Yusuf bin Tariq"): it refers to that one."""
        out = ids
        for step, start in ((-1, i - 1), (1, j)):
            k = start
            for _ in range(4):
                if not 0 <= k < s.n or not s.run_gap(max(k, k - step)):
                    break
                if s.norms[k] in _PARTICLES:
                    k += step
                    continue
                if not s.raws[k][:1].isupper():
                    break
                other = self._single.get(s.norms[k])
                if other is not None and other.kind == "name":
                    other_ids = other.ids
                else:
                    # The rest of the name spelled otherwise ("Hamad bin Naser Al-Suwaydi").
                    near = None if _weak(s.norms[k]) else self._near(s.norms[k], phonetic_key=True)
                    if near is None:
                        k += step  # a word of the name that is no family name ("Naser")
                        continue
                    other_ids = near
                common = out & other_ids
                if common:
                    out = common
                k += step
        return out

    def _split_name(self, s: _Scan, i: int) -> _Term | None:
        """A name split in two by a line break, a space or a hyphen ("Kari\nmova", "Kari
        mova", "Kari-mova"): the two pieces together spell a distinctive name."""
        j = i + 1
        if j >= s.n:
            return None
        term = self._single.get(s.norms[i] + s.norms[j])
        if term is None or term.kind != "name":
            return None
        gap = s.gap(j)
        if gap in _HYPHENS:
            # "Kar-zai", "Karim-zada": a hyphen inside a distinctive name, not a compound.
            first = s.raws[i]
            broken = first[:1].isupper() and len(first) >= 3 and not _weak_word(s.norms[i])
            return None if term.weak and not broken else term
        if not gap.isspace() or len(gap) > 3:
            return None
        if "\n" not in gap and "\r" not in gap:
            nxt = s.raws[j]
            if not nxt.islower() or (len(nxt) > 2 and _weak_word(s.norms[j])):
                return None
        if term.weak and not _has_diacritics(s.raws[i] + s.raws[j]):
            # "Mü ller" is Müller; "Mil ls" is nothing; but a capitalised piece that is no
            # word, broken off at a line end, is the start of the name ("Oth\nman").
            first = s.raws[i]
            if not (
                "\n" in gap
                and first[:1].isupper()
                and len(first) >= 3
                and not _weak_word(s.norms[i])
            ):
                return None
        return term

    def _beside_name(self, s: _Scan, i: int) -> tuple[int, frozenset[str]] | None:
        """A misspelt family name (one edit; two in a long one) right after the person's
        given name ("Paul Yong", "Rachel Mils") or after an honorific ("Dr. Yung"), even when
        the name is also an ordinary word. Returns (first token, people) or None."""
        if len(s.norms[i]) < 3 or s.raws[i].isupper():
            return None
        norm = s.norms[i]
        prev = s.norms[i - 1]
        if s.plain_gap(i) and s.raws[i - 1][:1].isupper():
            pids = self._given_index.get(prev)
            if pids:
                found = self._family_near(norm, pids, shortest=3)
                if found:
                    return i - 1, found
        h = s.honorific_start(i, self._honorifics)
        if h < i and norm not in _WEAK_WORDS and s.norms[i - 1] not in _FIGURE_TITLES:
            found = self._family_near(norm, self._all_ids, shortest=5)
            if found:
                return h, found
        return None

    def _family_near(self, norm: str, pids: Iterable[str], *, shortest: int) -> frozenset[str]:
        found: set[str] = set()
        for pid in pids:
            for fam in self._family_by_id.get(pid, ()):
                if len(fam) < shortest or fam == norm:
                    continue
                allowed = 2 if min(len(fam), len(norm)) >= 8 else 1
                if OSA.distance(fam, norm, score_cutoff=allowed) <= allowed:
                    found.add(pid)
        return frozenset(found)

    def _acronym_plural(self, s: _Scan, i: int) -> _Term | None:
        """ "BCSAs", "KIPSs": an acronym in the plural (capitals, then a small s)."""
        raw = s.raws[i]
        if len(raw) >= 4 and raw[-1] == "s" and raw[:-1].isupper():
            return self._acronyms.get(s.norms[i][:-1])
        return None

    def _spelled_acronym(
        self, s: _Scan, i: int, allowed: frozenset[str], out: list[Finding]
    ) -> int:
        """ "B.C.S.A.", "B C S A", "B-C-S-A": single capitals that spell an acronym; and
        "K a r i m o v a", "K.a.r.i.m.o.v.a": single letters that spell a name. Returns the
        index after it, or ``i`` when the letters spell nothing."""
        j = i
        while (
            j < s.n
            and len(s.raws[j]) == 1
            and s.raws[j].isalpha()
            and (j == i or s.gap(j).strip(" .-/\u00a0") == "")
            and (j == i or len(s.gap(j)) <= 3)
        ):
            j += 1
        if j - i < 2:
            return i
        spelled = "".join(s.norms[i:j])
        term = self._acronyms.get(spelled)
        dotted = all("." in s.gap(k) for k in range(i + 1, j))
        if term is not None and (
            all(r.isupper() for r in s.raws[i:j])
            or (dotted and all(r.islower() for r in s.raws[i:j]))
            or "".join(s.raws[i:j]) in self._acronyms_as_written  # "M.o.R.R." for MoRR
        ):
            kind: Kind = "affiliation"
        else:
            term = self._single.get(spelled)
            if term is None or term.kind != "name" or term.weak or j - i < 4:
                return i
            kind = "name"
        if term.ids <= allowed:
            s.consented(term.ids, named=kind == "name")
        else:
            start, end = s.starts[i], s.ends[j - 1]
            if end < len(s.text) and s.text[end] == ".":
                end += 1
            code = f"{kind}:{spelled}"
            found = Finding("block", kind, start, end, s.text[start:end], term.message, code)
            s.put(out, term.ids, found)
        return j

    def _ambiguous_lower_case(
        self, s: _Scan, term: _Term, i: int, allowed: frozenset[str], out: list[Finding]
    ) -> None:
        """ "as young put it": an ordinary word where a speaker would stand. Not a block (the
        old mills, prices rose), but worth a second look."""
        raw = s.raws[i]
        if not raw.islower() or term.ids <= allowed:
            return
        before = s.norms[i - 1] if i > 0 and s.run_gap(i) else ""
        if s.speech_follows(i + 1) or (
            before in ("as", "per", "to") and i + 2 < s.n and s.norms[i + 1] == "put"
        ):
            start, end = s.starts[i], s.ends[i]
            out.append(
                Finding(
                    "warn",
                    "name",
                    start,
                    end,
                    s.text[start:end],
                    "Spelled like a participant's family name, where a speaker would stand",
                    "name:" + s.norms[i],
                )
            )

    def _arabic(self, s: _Scan, i: int, allowed: frozenset[str], out: list[Finding]) -> int:
        """A word in Arabic script: a name given in Arabic script in the directory (with or
        without an attached article or conjunction), or a Latin name as a translator writes
        it (matched on consonants and long vowels). Returns how many tokens it matched."""
        if self._arabic_place_or_group(s, i):
            return 0
        if i + 1 < s.n and self._written_pairs and is_arabic(s.raws[i + 1]):
            pair = self._arabic_pair(s.norms[i], s.norms[i + 1])
            if pair:
                self._settle(s, out, pair, i, i + 2, "name", _MSG_SCRIPT, name=True)
                return 2
        for variant in arabic_variants(s.norms[i])[1:]:
            term = self._single.get(variant)
            if term is not None:
                if term.single_name and self._arabic_not_theirs(s, i, term.ids):
                    return 1
                self._settle(s, out, term.ids, i, i + 1, term.kind, term.message, name=True)
                return 1
        if _arabic_common(s.norms[i]) and not self._arabic_name_context(s, i):
            # A very common word of the text's language alone: not read as a Latin family
            # name through its consonants ("خیلی", very, is not Khaili).
            return 0
        for variant in arabic_variants(s.norms[i]):
            key = arabic_key(variant)
            candidates = self._written.get(arabic_skeleton(key))
            if not candidates:
                continue
            ids: set[str] = set()
            for pattern, pids in candidates:
                if pattern.fullmatch(key):
                    ids |= pids
            if ids and self._arabic_not_theirs(s, i, frozenset(ids)):
                return 0
            if ids:
                self._settle(s, out, frozenset(ids), i, i + 1, "name", _MSG_SCRIPT, name=True)
                return 1
        return 0

    @staticmethod
    def _arabic_place_or_group(s: _Scan, i: int) -> bool:
        """ "the Haqqani network", "governor of Wardak" (in Arabic and Persian the noun
        comes first), or the end of someone else's compound given name before it."""
        after = i + 1 < s.n and s.plain_gap(i + 1)
        before = i > 0 and s.plain_gap(i)
        return (
            (after and _arabic_context(s.norms[i + 1]))
            or (before and _arabic_context(s.norms[i - 1]))
            or (before and s.norms[i - 1].endswith(_ARABIC_COMPOUND_ENDINGS))
        )

    def _arabic_not_theirs(self, s: _Scan, i: int, ids: frozenset[str]) -> bool:
        """An Arabic-script word that spells a participant's single name (as the directory
        writes it) but is not them: a place or a group, a very common word without a name's
        context ("وزیر", minister), someone else's name (:meth:`_someone_elses_arabic_name`),
        or a family name after a common given name that is not theirs."""
        if self._arabic_place_or_group(s, i):
            return True
        norm = s.norms[i]
        if _arabic_common(norm) and not self._arabic_name_context(s, i):
            return True
        if self._someone_elses_arabic_name(s, i, ids):
            return True
        if i > 0 and s.plain_gap(i) and s.norms[i - 1] in _ARABIC_GIVEN:
            return not self._arabic_pair(s.norms[i - 1], norm) and not (
                self._arabic_given(s.norms[i - 1]) & ids
            )
        return False

    def _arabic_given(self, norm: str) -> frozenset[str]:
        """People whose given name this Arabic-script word spells."""
        found: set[str] = set()
        for v in arabic_variants(norm):
            key = arabic_key(v)
            for pattern, pid in self._written_given.get(arabic_skeleton(key), ()):
                if pattern.fullmatch(key):
                    found.add(pid)
        return frozenset(found)

    def _someone_elses_arabic_name(self, s: _Scan, i: int, ids: frozenset[str]) -> bool:
        """Arabic script has no capitals to tell a name from a word, so two rules stand in
        for the Latin ones ("Zalmay Khalilzad", "Hamid Karzai"): a word that spells only a
        participant's given name, followed by a word that is neither a very common word nor
        that person's family name, is someone else's given name ("زلمی خلیلزاد"); a word that
        spells a participant's name right after the given name of another participant only
        is a third person's name ("حامد کرزی" beside a Hamid and a Karzai). A common given
        name ("محمد") is read as a given name there, even if it also spells a family name."""
        nxt = i + 1 < s.n and s.plain_gap(i + 1) and is_arabic(s.raws[i + 1])
        if nxt and (s.norms[i] in _ARABIC_GIVEN or ids <= self._arabic_given(s.norms[i])):
            following = s.norms[i + 1]
            if not _arabic_common(following) and not self._arabic_pair(s.norms[i], following):
                return True
        if i > 0 and s.plain_gap(i) and is_arabic(s.raws[i - 1]):
            before = self._arabic_given(s.norms[i - 1])
            if before and before.isdisjoint(ids) and not _arabic_common(s.norms[i - 1]):
                return True
        return False

    def _arabic_name_context(self, s: _Scan, i: int) -> bool:
        """An honorific before Arabic-script word ``i`` ("دکتر خیلی"), or the given name of a
        person whose family name it spells, article and all ("سفر الحوالي")."""
        if i == 0:
            return False
        prev = s.norms[i - 1]
        if prev in _ARABIC_HONORIFICS or prev in self._honorifics:
            return True
        return self._written_pairs != {} and any(
            self._arabic_pair(prev, v) for v in arabic_variants(s.norms[i])
        )

    def _arabic_pair(self, first: str, second: str) -> frozenset[str]:
        """People whose given and family names these two Arabic-script words spell."""
        found: set[str] = set()
        for g in arabic_variants(first):
            gk = arabic_key(g)
            for gp, fp, pid in self._written_pairs.get(arabic_skeleton(gk), ()):
                if gp.fullmatch(gk) and fp.fullmatch(arabic_key(second)):
                    found.add(pid)
        return frozenset(found)

    def _affiliation_bags(self, s: _Scan, allowed: frozenset[str], out: list[Finding]) -> None:
        """Affiliations whose words come in another order or form: "the Omani Ministry of
        Foreign Affairs", "Institute of Regional Studies, Tehran", "Intl. Inst. for ..."."""
        index = self._affiliations
        if not index.by_anchor:
            return
        words = [_aff_word(n) for n in s.norms]
        for i, w in enumerate(words):
            for aff in index.by_anchor.get(w, ()):
                found = _bag_span(s, words, i, aff)
                if found is None or aff.ids <= allowed:
                    continue
                a, b = found
                start, end = s.starts[a], s.ends[b - 1]
                code = "affiliation:" + "-".join(sorted(aff.content))
                if _named_as_proper(s, a, b, words):
                    severity: Severity = "block"
                    message = _LABEL_MESSAGES["affiliation"]
                else:
                    severity, message = "warn", "Describes a participant's affiliation"
                s.put(
                    out,
                    aff.ids,
                    Finding(severity, "affiliation", start, end, s.text[start:end], message, code),
                )

    def _emails_of(self, text: str, allowed: frozenset[str], out: list[Finding]) -> set[str]:
        """Block participants' e-mail addresses; return the consenting people whose own
        address the text gives (it names them)."""
        named: set[str] = set()
        if not self._emails:
            return named
        for m in _EMAIL_RE.finditer(text):
            ids = self._emails.get(m.group(0).strip(".").lower())
            if ids is not None and ids <= allowed and len(ids) == 1:
                named |= ids
            elif ids is not None and not ids <= allowed:
                start, end = m.span()
                out.append(
                    Finding(
                        "block",
                        "name",
                        start,
                        end,
                        text[start:end],
                        "Matches a participant's e-mail address",
                        "email:" + m.group(0).lower(),
                    )
                )
        return named

    @staticmethod
    def _disguised_words(s: _Scan, out: list[Finding]) -> None:
        if s.text.isascii():
            return
        for k in range(s.n):
            raw = s.raws[k]
            if not raw.isascii() and mixed_scripts(raw):
                start, end = s.starts[k], s.ends[k]
                out.append(
                    Finding(
                        "warn",
                        "disguise",
                        start,
                        end,
                        raw,
                        "Mixes letters of different scripts (look-alike letters)",
                        "disguise:mixed-script:" + s.norms[k],
                    )
                )

    @staticmethod
    def _control_findings(norm: Normalised) -> list[Finding]:
        """Direction controls inside a word, and overrides anywhere (in source offsets)."""
        text = norm.source
        out: list[Finding] = []
        for at in norm.controls:
            c = text[at]
            a = at
            while a > 0 and (text[a - 1].isalnum() or text[a - 1] in BIDI_CONTROLS):
                a -= 1
            b = at + 1
            while b < len(text) and (text[b].isalnum() or text[b] in BIDI_CONTROLS):
                b += 1
            inside = a < at and b > at + 1
            if not inside and c not in "\u202d\u202e":
                continue
            word = "".join(ch for ch in text[a:b] if ch not in BIDI_CONTROLS)
            out.append(
                Finding(
                    "warn",
                    "disguise",
                    a,
                    b,
                    text[a:b],
                    "Carries invisible direction controls that change how it is shown",
                    "disguise:direction:" + fold(word or "-"),
                )
            )
        return out

    @staticmethod
    def _multi_fits(s: _Scan, tokens: tuple[str, ...], i: int) -> bool:
        norms = s.norms
        if i + len(tokens) > s.n:
            return False
        for k in range(1, len(tokens)):
            if norms[i + k] != tokens[k]:
                return False
            gap = s.gap(i + k)
            if len(gap) > 3 or not all(c in _NAME_JOIN for c in gap):
                return False
        return True

    def _accept(self, s: _Scan, term: _Term, i: int, j: int) -> bool:
        """Decide whether the tokens [i, j) that spell ``term`` really refer to it."""
        raw = s.raws[i]
        if term.acronym:
            if term.weak:
                # "HAS", "DIM": an acronym that is also a word only counts in capitals; a
                # three-letter one that is no word also in small letters ("iep").
                if raw.islower() and len(raw) == 3:
                    return not _weak_word(s.norms[i])
                return len(raw) > 1 and raw.isupper() and not s.shouting()
            return True
        if term.labels == {"given"} and j - i > 1 and self._other_name_follows(s, term, j):
            return False  # "Ahmad Zia Massoud" is not Ahmad Zia Barakzai
        if term.single_name and not raw.isascii() and is_arabic(raw):
            return not self._arabic_not_theirs(s, i, term.ids)
        if term.single_name:
            if self._named_after(s, i, j):
                return False  # "Lake Nasser", "Hamad International Airport"
            if term.labels == {"given"} and self._other_name_follows(s, term, j):
                return False  # "Hamid Karzai" beside a Hamid and a Karzai: a third person
            if (
                "given" not in term.labels
                and i > 0
                and s.plain_gap(i)
                and s.norms[i - 1] in _FIGURE_TITLES
                and s.norms[i - 1] not in self._honorifics
                and not self._same_person_nearby(s, i, term.ids)
            ):
                return False  # "Mullah Mansoor", "Prince Yusupov": a figure of that name
            if (
                term.labels == {"given"}
                and i > 0
                and s.plain_gap(i)
                and s.norms[i - 1] in _FIGURE_TITLES
            ):
                return False  # "Mullah Omar", "St Thomas's", "Prophet Yusuf": someone else
            if (
                term.labels == {"given"}
                and i > 1
                and s.plain_gap(i)
                and s.norms[i - 1] in _PATRONYMIC
                and s.raws[i - 2][:1].isupper()
                and not self._same_person_nearby(s, i, term.ids)
                and self._single.get(s.norms[i - 2]) is None
            ):
                return False  # "Tamim bin Hamad": the father of someone not on the roster
            if (
                "family" in term.labels
                and i > 0
                and j < s.n
                and s.norms[i - 1] in ("a", "an")
                and s.plain_gap(i)
                and s.plain_gap(j)
                and s.raws[j].islower()
                and s.raws[j].isalpha()
            ):
                return False  # "a Tehrani merchant", "a Noorzai elder": a place or a tribe
            if s.next_is_hyphen_compound(i) and term.weak:
                return False  # "NG-based", "Li-ion"
            if (
                self._other_persons_name(s, i) or self._other_participants_given(s, i, term.ids)
            ) and not self._same_person_nearby(s, i, term.ids):
                return False  # "Zalmay Khalilzad", "Erna Solberg": someone not on the roster
            if j < s.n and s.norms[j] in _FIGURE_CONTEXT and s.plain_gap(j):
                return False  # "the Bush administration"
            if (
                j + 2 < s.n
                and s.norms[j] in ("and", "or")
                and s.plain_gap(j)
                and s.raws[j + 1][:1].isupper()
                and s.plain_gap(j + 2)
                and s.norms[j + 2] in _FIGURE_CONTEXT
            ):
                return False  # "Mohmand and Shinwari elders", "the Noorzai or Alizai tribes"
        if not term.weak:
            if j - i == 1 and len(raw) <= 3 and raw.isupper() and len(raw) > 1:
                # "ANA" (the army) is not "Ana": short capitals need an honorific.
                return s.honorific_start(i, self._honorifics) < i or s.shouting()
            return True
        # Weak terms: ordinary words that are also names ("Hope", "Said", "Long"); written
        # with the diacritics of the name ("Müller"), the word is the name.
        if raw[:1].isupper() and not raw.isascii() and _has_diacritics(raw):
            return True
        if i > 0 and s.norms[i - 1] in _OFFICE_TITLES and s.plain_gap(i):
            return False
        if j < s.n and s.raws[j].isdigit() and s.plain_gap(j):
            return False  # "Ward 5", "Hill 60": a numbered place
        h = s.honorific_start(i, self._honorifics)
        if h < i and (raw[:1].isupper() or s.raws[h][:1].isupper()):
            return True  # "Dr Ng", but not "the foreign secretary said"
        if j - i > 1:
            return all(
                r[:1].isupper() and not r.isupper()
                for r, n in zip(s.raws[i:j], s.norms[i:j], strict=True)
                if n not in _PARTICLES
            )
        if (
            term.single_name
            and len(raw) > 2
            and (self._note_format(s, i, j) or (raw[:1].isupper() and self._listed(s, i, j)))
        ):
            return True
        if not raw[:1].isupper() or (len(raw) > 1 and raw.isupper()):
            return False
        norm = s.norms[i]
        if norm in _MONTHS and (
            (i > 0 and s.norms[i - 1] in _DATE_PREPS) or (j < s.n and s.raws[j].isdigit())
        ):
            return False
        if j < s.n and s.plain_gap(j) and self._proper_continuation(s, j):
            return False  # "the Young Turks", "Hope Foundation": part of another proper noun
        if s.possessive_end(j - 1) > s.ends[j - 1]:
            return True
        if s.sentence_start(i) or norm in _ALWAYS_CAPITALISED or s.title_case(i):
            # Capitals carry no information here ("May deadline", "Deep Wells and Canals"):
            # ask for a verb that a person does.
            if norm in _ALWAYS_CAPITALISED:
                return s.speech_follows(j)  # "May saw the worst violence"
            return not s.title_case(i) and self._person_verb_follows(s, i, j)
        return True

    @staticmethod
    def _person_verb_follows(s: _Scan, i: int, j: int) -> bool:
        """Whether token j starts the predicate of token i taken as a person."""
        while j < s.n and s.norms[j] in _SPEECH_ADVERBS and s.run_gap(j):
            j += 1  # "Young strongly argued"
        if j >= s.n or not s.run_gap(j) or not s.raws[j].islower():
            return False
        verb = s.norms[j]
        plural = s.norms[i].endswith("s")  # "Mills", "Wells": also things that close
        if verb in _SPEECH_VERBS:
            return not (plural and verb in _THING_VERBS)
        if plural:
            return False
        if verb in _FINITE_VERBS:
            return True
        if verb.endswith("ed") and len(verb) > 4:
            nxt = j + 1
            return nxt >= s.n or not s.run_gap(nxt) or s.norms[nxt] in _AFTER_VERB
        return False

    def _listed(self, s: _Scan, i: int, j: int) -> bool:
        """A name alone in a slot of notes: "Chair: Young.", "Interventions: Young, Mills",
        "-- Young" at a line's end."""
        text = s.text
        end = s.possessive_end(j - 1)
        after = text[end : end + 2].lstrip(" \t")
        closes = after == "" or after[:1] in ",.;\n\r)"
        gap = s.gap(i)
        before = gap.strip(" \t")
        if closes and (before.endswith((":", "--", "\u2014", "\u2013", ">>")) or before == "-"):
            return True
        if (i == 0 or "\n" in gap or "\r" in gap) and (after == "" or after[:1] in "\n\r"):
            return True  # alone on its line: a heading, a table cell, a signature
        if before.endswith(",") and i > 0 and self._roster_name_at(s, i - 1):
            return closes or (j < s.n and s.norms[j] in ("and", "or"))
        return after[:1] == "," and j < s.n and self._roster_name_at(s, j)

    def _roster_name_at(self, s: _Scan, k: int) -> bool:
        term = self._single.get(s.norms[k])
        return term is not None and term.kind == "name" and s.raws[k][:1].isupper()

    @staticmethod
    def _note_format(s: _Scan, i: int, j: int) -> bool:
        """How notes name a speaker, whatever the case: "Young: ...", "(Young)",
        "Young, a presenter, noted ...", "YOUNG said"."""
        text = s.text
        end = s.possessive_end(j - 1)
        after = text[end : end + 3].lstrip(" \t")
        before = text[max(0, s.starts[i] - 2) : s.starts[i]].rstrip(" \t")
        if s.sentence_start(i) and _LABEL.match(text, end):
            return True
        if after.startswith("("):
            # "Young (session 2) said": a speech verb after a parenthesis.
            close = text.find(")", end, end + 42)
            k = j
            while close > 0 and k < s.n and s.starts[k] < close:
                k += 1
            verb = s.norms[k] if close > 0 and k < s.n else ""
            plural = s.norms[i].endswith("s")
            if (
                s.raws[i][:1].isupper()
                and verb in _SPEECH_VERBS
                and not (plural and verb in _THING_VERBS)
            ):
                return True
        if before.endswith(("(", "[")) and after.startswith((")", "]", ",", ";")):
            return True  # "(Young)", "[Young]", "(Young, NPL)"
        raw = s.raws[i]
        if len(raw) > 1 and raw.isupper() and (s.speech_follows(j) or after.startswith(":")):
            return True
        if after.startswith(",") and j < s.n:
            # An apposition that describes a person: "Young, a presenter, noted".
            k = j
            if s.norms[k] == "who":
                return True
            if s.norms[k] in ("a", "an", "the", "our", "one"):
                for m in range(k + 1, min(k + 5, s.n)):
                    word = s.norms[m]
                    singular = word[:-1] if word.endswith("s") else word
                    if {word, singular} & (_PERSON_NOUNS | _ROLE_NOUNS.keys()):
                        return True
                    if not s.run_gap(m):
                        break
        return False

    def _other_name_follows(self, s: _Scan, term: _Term, j: int) -> bool:
        """After a given name, a capitalised name that is not on the roster, or another
        participant's family name: the given name is a third person's."""
        if j >= s.n or not s.plain_gap(j) or not s.raws[j][:1].isupper():
            return False
        if len(term.tokens) > 1 and self._name_like(s, j):
            return True  # a single given name: see :meth:`_other_persons_name`
        other = self._single.get(s.norms[j])
        if other is None:
            # Another participant's family name, spelled otherwise ("Ḥāmid Karzay").
            near = None if _weak(s.norms[j]) else self._near(s.norms[j], phonetic_key=True)
            return near is not None and near.isdisjoint(term.ids)
        return (
            other.kind == "name"
            and "family" in other.labels
            and other.ids.isdisjoint(term.ids)
            and not other.weak
        )

    @staticmethod
    def _named_after(s: _Scan, i: int, j: int) -> bool:
        """A name inside the proper name of a place or an institution: after "Lake",
        "Mount" ..., or before up to two capitalised words and "Airport", "University"."""
        if (
            i > 0
            and s.plain_gap(i)
            and s.norms[i - 1] in _PLACE_TITLES
            and s.raws[i - 1][:1].isupper()
        ):
            return True
        k = j
        for _ in range(3):
            if k >= s.n or not s.plain_gap(k) or not s.raws[k][:1].isupper():
                return False
            if s.norms[k] in _NAMED_AFTER:
                return True
            k += 1
        return False

    def _proper_continuation(self, s: _Scan, k: int) -> bool:
        raw = s.raws[k]
        return (
            len(raw) > 1
            and raw[0].isupper()
            and not raw.isupper()
            and s.norms[k] not in self._name_tokens
            and s.norms[k] not in self._honorifics
        )

    def _other_persons_name(self, s: _Scan, i: int) -> bool:
        """True if token i is glued to a capitalised name that is not on the roster."""
        if i + 1 < s.n and s.plain_gap(i + 1) and self._name_like(s, i + 1):
            return True
        k = i - 1
        # Skip initials: "George W. Bush".
        while (
            k >= 0 and len(s.raws[k]) == 1 and s.raws[k].isupper() and s.gap(k + 1) in {". ", "."}
        ):
            k -= 1
        return k >= 0 and (k < i - 1 or s.plain_gap(k + 1)) and self._name_like(s, k)

    def _other_participants_given(self, s: _Scan, i: int, ids: frozenset[str]) -> bool:
        """ "Fatima Zahra Mansouri": a given name of someone else in the directory right
        before a family name makes a third person's name, not this participant's."""
        if i == 0 or not s.plain_gap(i) or not s.raws[i - 1][:1].isupper():
            return False
        others = self._given_index.get(s.norms[i - 1])
        return others is not None and others.isdisjoint(ids) and not _weak(s.norms[i - 1])

    def _same_person_nearby(self, s: _Scan, i: int, ids: frozenset[str]) -> bool:
        """True for "Farida Noor Rahimi": another part of the same person's name is in the run,
        and for "Leila Karimova": what precedes the family name is a near-variant of the
        person's given name."""
        if i > 0 and s.plain_gap(i) and self._given_variant(s.norms[i - 1], ids):
            return True
        for step in (-1, 1):
            k = i
            for _ in range(3):
                nxt = k + step
                if not 0 <= nxt < s.n or not s.plain_gap(max(k, nxt)):
                    break
                k = nxt
                if not s.raws[k][:1].isupper():
                    break
                other = self._single.get(s.norms[k])
                if other is not None and not other.ids.isdisjoint(ids):
                    return True
        return False

    def _name_like(self, s: _Scan, k: int) -> bool:
        raw = s.raws[k]
        if len(raw) < 2 or not raw[0].isupper() or raw.isupper() or not raw.isalpha():
            return False
        norm = s.norms[k]
        return not (
            norm in _WEAK_WORDS
            or norm in self._honorifics
            or norm in self._name_tokens
            or _phonetic(norm) in self._phonetic
        )

    def _variant_ids(self, s: _Scan, i: int) -> frozenset[str] | None:
        """People whose family name token ``i`` misspells, transliterates otherwise, or puts
        in the plural or possessive without an apostrophe; None for none."""
        raw = s.raws[i]
        norm = s.norms[i]
        upper = raw[:1].isupper()
        if _weak(norm) or norm in self._honorifics or (not upper and len(norm) < 6):
            return None
        ids = self._near(norm, phonetic_key=upper)
        if ids is None and upper and self._weak_near:
            ids = self._weak_variant(s, i)
        if ids is None and norm.endswith("s"):
            for stem in (norm[:-1], norm[:-2]) if norm.endswith("es") else (norm[:-1],):
                term = self._single.get(stem)
                if term is not None and term.kind == "name" and not term.weak:
                    ids = term.ids
                    break
        if ids is None or norm in _PLACES:
            return None  # "Kohistan" is the valley, not Kohistani
        if self._glued_to_other_name(s, i, ids):
            return None
        if i + 1 < s.n and s.norms[i + 1] in _FIGURE_CONTEXT and s.plain_gap(i + 1):
            return None  # "the Mansour district"
        if i > 0 and s.plain_gap(i) and s.norms[i - 1] in _PLACE_PREPOSITIONS | _FIGURE_TITLES:
            return None  # "in Mansoura", "President Karimov": a place or a public figure
        return ids

    def _weak_variant(self, s: _Scan, i: int) -> frozenset[str] | None:
        """ "Younge argued", "Mils: ...": one edit from a family name that is an ordinary
        word, where a person stands (a verb only a person does, a note format, a slot)."""
        norm = s.norms[i]
        found = self._weak_near_cache.get(norm)
        if found is None:
            near: set[str] = set()
            for variant in deletions(norm, 1):
                for name in self._weak_near_index.get(variant, ()):
                    if name != norm and OSA.distance(norm, name, score_cutoff=1) <= 1:
                        near |= self._weak_near[name]
            found = frozenset(near)
            if len(self._weak_near_cache) < 50_000:
                self._weak_near_cache[norm] = found
        if not found:
            return None
        if (
            self._person_verb_follows(s, i, i + 1)
            or self._note_format(s, i, i + 1)
            or self._listed(s, i, i + 1)
        ):
            return frozenset(found)
        return None

    def _glued_to_other_name(self, s: _Scan, i: int, ids: frozenset[str]) -> bool:
        """Whether token i is one word of a capitalised name that is not this person's
        ("Shah Mahmood Qureshi" is not Tariq Mehmood): a variant needs to stand alone."""
        if self._same_person_nearby(s, i, ids):
            return False
        for k in (i - 1, i + 1):
            if not 0 <= k < s.n or not s.plain_gap(max(k, i)):
                continue
            raw = s.raws[k]
            norm = s.norms[k]
            if (
                len(raw) > 1
                and raw[0].isupper()
                and not raw.isupper()
                # "Islam Karimov": a given name even if it is also a word; but not a word that
                # starts a clause ("According Karimow", "Responding to ...").
                and norm not in _COMMON
                and norm not in _SPEECH_VERBS
                and norm not in _GEO_TOKENS
                and norm not in _PERSON_NOUNS
                and norm not in _PARTICLES
                and not norm.endswith("ing")
                and norm not in self._honorifics
            ):
                return True
        return self._other_persons_name(s, i)

    def _near(self, norm: str, *, phonetic_key: bool) -> frozenset[str] | None:
        key = norm if phonetic_key else "\x00" + norm
        if key in self._near_cache:
            return self._near_cache[key]
        ids = self._phonetic.get(_phonetic(norm)) if phonetic_key or len(norm) >= 6 else None
        if ids is None and phonetic_key:
            # One sound off in a long name ("Kerimowa"): transliteration keys one edit apart.
            pkey = _phonetic(norm)
            if len(pkey) >= 6:
                found_p: set[str] = set()
                for variant in deletions(pkey, 1):
                    for other in self._phonetic_index.get(variant, ()):
                        if OSA.distance(pkey, other, score_cutoff=1) <= 1:
                            found_p |= self._phonetic[other]
                ids = frozenset(found_p) if found_p else None
        depth = within(len(norm))
        if ids is None and depth:
            found: set[str] = set()
            for variant in deletions(norm, depth):
                for name in self._near_index.get(variant, ()):
                    allowed = min(depth, within(len(name)))
                    if OSA.distance(norm, name, score_cutoff=allowed) <= allowed:
                        found |= self._near_ids[name]
            ids = frozenset(found) if found else None
        if len(self._near_cache) < 50_000:
            self._near_cache[key] = ids
        return ids

    def _given_variant(self, norm: str, ids: frozenset[str]) -> bool:
        """Whether ``norm`` is a participant's given name or a near-variant of it (Leyla,
        Leila, Laila)."""
        if len(norm) < 3:
            return False
        for pid in ids:
            for given in self._given_by_id.get(pid, ()):
                if given == norm or (len(given) >= 3 and _phonetic(given) == _phonetic(norm)):
                    return True
                if len(given) < 3 or given[0] != norm[0]:
                    continue
                if (
                    Levenshtein.distance(given, norm) <= max(1, within(len(given)))
                    or JaroWinkler.similarity(given, norm) >= 0.88
                ):
                    return True
        return False

    def _settle(
        self,
        s: _Scan,
        out: list[Finding],
        ids: frozenset[str],
        i: int,
        j: int,
        kind: Kind,
        message: str,
        *,
        name: bool,
    ) -> None:
        """A match of tokens [i, j) that may be any of ``ids``: nothing if all of them
        consented (a name then counts as naming them, see :meth:`_Scan.put`), else a block."""
        if ids <= s.allowed:
            s.consented(ids, named=kind == "name")
            return
        self._emit_name(s, out, i, j, kind, message, name=name, ids=ids)

    def _emit_name(
        self,
        s: _Scan,
        out: list[Finding],
        i: int,
        j: int,
        kind: Kind,
        message: str,
        *,
        name: bool,
        ids: frozenset[str] = frozenset(),
    ) -> None:
        start = s.starts[s.honorific_start(i, self._honorifics)] if name else s.starts[i]
        end = s.possessive_end(j - 1)
        code = kind + ":" + "-".join(s.norms[i:j])
        s.put(out, ids, Finding("block", kind, start, end, s.text[start:end], message, code))

    # -- indirect identifiers ------------------------------------------------------------------

    def _indirect(self, s: _Scan, allowed: frozenset[str], out: list[Finding]) -> None:
        norms = s.norms
        n = s.n
        pos_vocab = self._pos_vocab
        countries = self._countries
        cue = self._indirect_cues
        heads = self._pos_head_words
        run_start = -1
        run_head = False  # the current run has a word that can head a roster position
        for i in range(n):
            norm = norms[i]
            if norm not in cue:
                # No rule below starts on this word, and it ends any position run.
                if run_head:
                    self._position_run(s, run_start, i, allowed, out)
                run_start = -1
                run_head = False
                continue
            # Positions: maximal runs of position vocabulary ("the former Deputy Foreign Minister").
            in_run = norm in pos_vocab or (norm in _GEO and s.raws[i][:1].isupper())
            if in_run and run_start >= 0 and s.position_gap(i):
                run_head = run_head or norm in heads
            else:
                if run_head:
                    self._position_run(s, run_start, i, allowed, out)
                run_start = i if in_run else -1
                run_head = in_run and norm in heads
            if norm in _GEO and countries:
                self._descriptor(s, i, allowed, out)
            if norm in _ROLE_NOUNS:
                self._role(s, i, allowed, out)
            elif norm in ("my", "our"):
                self._quote_possessive(s, i, allowed, out)
            elif norm == "i" and s.raws[i] == "I" and i + 1 < n and norms[i + 1] in _I_VERBS:
                self._emit_quote(s, i, i + 2, allowed, out)
            elif norm == "we" and i + 2 < n and norms[i + 1] in ("in", "at"):
                k = i + 3 if norms[i + 2] == "the" and i + 3 < n else i + 2
                if norms[k] in _INSTITUTIONS:
                    self._emit_quote(s, i, k + 1, allowed, out)
        if run_head:
            self._position_run(s, run_start, n, allowed, out)

    def _position_run(
        self, s: _Scan, a: int, b: int, allowed: frozenset[str], out: list[Finding]
    ) -> None:
        positions = self._positions
        norms = s.norms
        heads = [k for k in range(a, b) if _POS_SYNONYMS.get(norms[k], norms[k]) in positions]
        if not heads:
            return
        matched: set[str] = set()
        full: set[str] = set()
        past = not _PAST.isdisjoint(norms[max(0, a - 1) : b])
        for h in heads:
            head = _POS_SYNONYMS.get(norms[h], norms[h])
            pre, nationality = _position_content(zip(s.raws[a:h], norms[a:h], strict=True))
            post, post_codes = _position_content(
                zip(s.raws[h + 1 : b], norms[h + 1 : b], strict=True)
            )
            content = pre | post | {head} | {"cc:" + c for c in post_codes}
            ranks = content & _POS_RANKS
            office_cc = {c for c in content if c.startswith("cc:")}
            for pos in positions[head]:
                if pos.ranks != ranks:
                    continue
                overlap = len(pos.content & content)
                # "Deputy Minister of Economy of Uzbekistan" is not the Afghan one.
                foreign = office_cc - pos.content
                for cc, ids in pos.by_country.items():
                    if nationality and cc not in nationality:
                        continue
                    if foreign and "cc:" + cc not in foreign:
                        continue
                    if overlap + (cc in nationality) >= pos.need:
                        matched |= ids
                        # Verbatim, or nearly: one word of a long one left out or changed.
                        # A former office named as a current one is its present holder's.
                        if (
                            pos.unique
                            and (past or not pos.past)
                            and (
                                overlap == len(pos.content)
                                or (len(pos.content) >= 4 and overlap >= len(pos.content) - 1)
                            )
                        ):
                            full |= ids
        if not matched or matched <= allowed:
            return
        while a < b and norms[a] in _POS_JOINERS:
            a += 1
        while b > a and norms[b - 1] in _POS_JOINERS:
            b -= 1
        if a < b:
            if full and not full <= allowed:
                self._emit(s, out, "position", a, b, _MSG_FULL_POSITION, severity="block")
            else:
                self._emit(s, out, "position", a, b, _MSG_POSITION)

    def _descriptor(self, s: _Scan, i: int, allowed: frozenset[str], out: list[Finding]) -> None:
        raws = s.raws
        norms = s.norms
        n = s.n
        if not raws[i][:1].isupper():
            return  # "polish the draft"
        geo = s.geo_at(i)
        if geo is None:
            return
        j, codes, is_dem = geo
        ids: set[str] = set()
        for c in codes:
            ids |= self._countries.get(c, frozenset())
        if not ids or ids <= allowed:
            return
        # "a participant from Brazil", "an expert from the US"
        f = i - 1
        if f >= 1 and norms[f] == "the":
            f -= 1
        if f >= 1 and norms[f] == "from" and norms[f - 1] in _PERSON_NOUNS:
            self._emit(s, out, "descriptor", s.determiner_start(f - 1), j, _MSG_DESCRIPTOR)
            return
        if is_dem:
            k = j
            while (
                k < n
                and k - j < 4
                and norms[k] in _DESC_ADJ
                and norms[k] not in _PERSON_NOUNS
                and s.run_gap(k)
            ):
                k += 1
            start = s.determiner_start(i)
            if k < n and norms[k] in _PERSON_NOUNS and s.run_gap(k):
                if not (
                    (k + 1 < n and s.plain_gap(k + 1) and s.capitalised_word(k + 1))
                    or self._apposition_to_other(s, start)
                ):
                    self._emit(s, out, "descriptor", start, k + 1, _MSG_DESCRIPTOR)
                return
            # A demonym used as a noun: "the only Afghan in the room", "the Turk argued".
            if start < i and (
                any(norms[x] in _UNIQUE for x in range(start, i)) or s.speech_follows(j)
            ):
                self._emit(s, out, "descriptor", start, j, _MSG_DESCRIPTOR)
            return
        # "Qatar's special envoy" (but not "Iran's role")
        if j + 1 < n and norms[j] == "s" and s.gap(j)[:1] in _APOSTROPHES:
            k = j + 1
            while k < n and k - j < 5 and norms[k] in _DESC_ADJ and s.run_gap(k):
                k += 1
            if (
                k < n
                and norms[k] in _PERSON_NOUNS
                and s.run_gap(k)
                and not (k + 1 < n and s.plain_gap(k + 1) and s.capitalised_word(k + 1))
            ):
                self._emit(s, out, "descriptor", i, k + 1, _MSG_DESCRIPTOR)

    def _apposition_to_other(self, s: _Scan, start: int) -> bool:
        """True for "Said Jalili, a former Iranian negotiator": it describes a named outsider."""
        return start > 0 and s.gap(start) == ", " and self._name_like(s, start - 1)

    def _role(self, s: _Scan, i: int, allowed: frozenset[str], out: list[Finding]) -> None:
        norms = s.norms
        role = _ROLE_NOUNS[norms[i]]
        k = i - 1
        while k >= 0 and norms[k] in _ROLE_PREFIXES and s.run_gap(k + 1):
            k -= 1
        if k < 0 or norms[k] not in _ROLE_DETERMINERS or not s.run_gap(k + 1):
            return
        if i + 1 < s.n and norms[i + 1] in _ROLE_BLOCKERS and s.plain_gap(i + 1):
            return  # "the chair of the High Peace Council"
        if i + 1 < s.n and s.plain_gap(i + 1) and s.capitalised_word(i + 1):
            return  # "the speaker Ali Ahmadi": an appositive name decides
        holders = self._roles.get(role) or self._all_ids
        if holders <= allowed:
            return
        self._emit(s, out, "role", k, i + 1, _MSG_ROLE)

    def _quote_possessive(
        self, s: _Scan, i: int, allowed: frozenset[str], out: list[Finding]
    ) -> None:
        norms = s.norms
        for k in range(i + 1, min(i + 4, s.n)):
            if not s.run_gap(k):
                return
            if norms[k] in _INSTITUTIONS:
                start = i - 1 if i > 0 and norms[i - 1] in _QUOTE_PREPS and s.run_gap(i) else i
                self._emit_quote(s, start, k + 1, allowed, out)
                return

    def _emit_quote(
        self, s: _Scan, a: int, b: int, allowed: frozenset[str], out: list[Finding]
    ) -> None:
        if not self._all_ids <= allowed:
            self._emit(s, out, "quote", a, b, _MSG_QUOTE)

    @staticmethod
    def _emit(
        s: _Scan,
        out: list[Finding],
        kind: Kind,
        a: int,
        b: int,
        message: str,
        *,
        severity: Severity = "warn",
    ) -> None:
        start = s.starts[a]
        end = s.ends[b - 1]
        words = s.norms[a:b]
        while len(words) > 1 and words[0] in _ARTICLES:
            words = words[1:]
        code = kind + ":" + "-".join(words)
        out.append(Finding(severity, kind, start, end, s.text[start:end], message, code))


class _Scan:
    """The tokens of one text, with the context tests the matchers need."""

    __slots__ = (
        "_shout",
        "_titles",
        "allowed",
        "ends",
        "held",
        "n",
        "named",
        "norms",
        "raws",
        "starts",
        "text",
    )

    def __init__(self, text: str, spans: list[tuple[int, int]]) -> None:
        self.text = text
        # Consent (see :meth:`put`): who may be named, who the text names without doubt,
        # and the findings that may refer to one of them or to someone else.
        self.allowed: frozenset[str] = frozenset()
        self.named: set[str] = set()
        self.held: list[tuple[frozenset[str], Finding]] = []
        self.starts = [a for a, _ in spans]
        self.ends = [b for _, b in spans]
        self.raws = [text[a:b] for a, b in spans]
        self.norms = [_norm(r) for r in self.raws]
        self.n = len(spans)
        self._shout: bool | None = None
        self._titles: dict[int, bool] | None = None

    def consented(self, ids: frozenset[str], *, named: bool) -> None:
        """A match that only consenting people can be: as a name, it names them."""
        if named and len(ids) == 1:
            self.named |= ids

    def put(self, out: list[Finding], ids: frozenset[str], finding: Finding) -> None:
        """Add a finding; an affiliation or acronym that may also be a consenting person's
        waits for :meth:`settle`. A name part never waits: "Hamad" alone may be the other
        Hamad, and the guard cannot tell ("Al-Suwaidi thanked Hamad"), so it blocks."""
        if ids and finding.kind != "name" and not ids.isdisjoint(self.allowed):
            self.held.append((ids, finding))
        else:
            out.append(finding)

    def settle(self, out: list[Finding]) -> None:
        """An affiliation or acronym that a consenting person shares with others ("the
        ministry", "MOFA"), in a text that names that consenting person unambiguously, is
        theirs, as a reader takes it: no finding. Without such a naming it may be the other
        person's, and blocks."""
        for ids, finding in self.held:
            if self.named.isdisjoint(ids):
                out.append(finding)
        self.held = []

    def gap(self, i: int) -> str:
        """The characters between token i-1 and token i."""
        return (
            self.text[self.ends[i - 1] : self.starts[i]] if i > 0 else self.text[: self.starts[0]]
        )

    def plain_gap(self, i: int) -> bool:
        g = self.gap(i)
        return g == " " or (0 < len(g) <= 2 and g.isspace())

    def run_gap(self, i: int) -> bool:
        """Tokens i-1 and i belong to one phrase (only spaces or a hyphen between them)."""
        g = self.gap(i)
        return len(g) <= 3 and not any(c in _PHRASE_BREAK for c in g)

    def position_gap(self, i: int) -> bool:
        """Like :meth:`run_gap`, and a parenthesis too: "Special Envoy (Maritime Security)"."""
        if self.run_gap(i):
            return True
        g = self.gap(i).strip()
        if g == "." and _POS_SYNONYMS.get(self.norms[i - 1]) not in (None, ""):
            return len(self.gap(i)) <= 3  # "Special Rep. for ..."
        return g in ("(", ")") and len(self.gap(i)) <= 3

    def sentence_start(self, i: int) -> bool:
        return i == 0 or any(c in _SENTENCE_BREAK for c in self.gap(i))

    def title_case(self, i: int) -> bool:
        """Whether token i is in a line written in Title Case (a heading): there, a capital
        letter is no evidence of a name."""
        if self._titles is None:
            self._titles = {}
        a = i
        while a > 0 and not any(c in "\n\r" for c in self.gap(a)):
            a -= 1
        found = self._titles.get(a)
        if found is None:
            b = i
            while b + 1 < self.n and not any(c in "\n\r" for c in self.gap(b + 1)):
                b += 1
            words = [r for r in self.raws[a : b + 1] if r.isalpha() and len(r) > 3]
            caps = sum(1 for r in words if r[0].isupper())
            found = len(words) >= 3 and caps * 10 >= len(words) * 8
            self._titles[a] = found
        return found

    def shouting(self) -> bool:
        if self._shout is None:
            words = [r for r in self.raws if len(r) > 1 and r.isalpha()]
            caps = sum(1 for r in words if r.isupper())
            self._shout = len(words) >= 3 and caps * 2 > len(words)
        return self._shout

    def next_is_hyphen_compound(self, i: int) -> bool:
        end = self.ends[i]
        return end < len(self.text) and self.text[end] in _HYPHENS

    def possessive_end(self, i: int) -> int:
        """End offset of token i, extended over a possessive apostrophe-s (straight or curly)."""
        end = self.ends[i]
        text = self.text
        if end + 1 < len(text) and text[end] in _APOSTROPHES and text[end + 1] in "sS":
            if end + 2 == len(text) or not text[end + 2].isalnum():
                return end + 2
        elif (
            end < len(text)
            and text[end] in _APOSTROPHES
            and self.raws[i][-1:] in ("s", "S")
            and (end + 1 == len(text) or not text[end + 1].isalnum())
        ):
            return end + 1
        return end

    def honorific_start(self, i: int, honorifics: Collection[str]) -> int:
        """Index of the first honorific token directly before token i ("H.E. Dr."), else i."""
        k = i
        while k > 0:
            g = self.gap(k)
            if len(g) > 3 or not all(c in " .\u00a0" for c in g):
                break
            prev_raw = self.raws[k - 1]
            if self.norms[k - 1] in honorifics or prev_raw in ("H", "E"):
                k -= 1
            else:
                break
        return k

    def capitalised_word(self, k: int) -> bool:
        """Token k looks like a proper name (capitalised, not an ordinary word)."""
        raw = self.raws[k]
        return (
            len(raw) > 1
            and raw[0].isupper()
            and not raw.isupper()
            and self.norms[k] not in _WEAK_WORDS
        )

    def speech_follows(self, j: int) -> bool:
        k = j
        while k < self.n and self.norms[k] in _SPEECH_ADVERBS:
            k += 1
        return k < self.n and self.norms[k] in _SPEECH_VERBS and self.run_gap(k)

    def determiner_start(self, i: int) -> int:
        k = i
        while (
            k > 0
            and self.run_gap(k)
            and (self.norms[k - 1] in _DETERMINERS or self.norms[k - 1] in _DESC_ADJ)
        ):
            k -= 1
        return k

    def geo_at(self, i: int) -> tuple[int, tuple[str, ...], bool] | None:
        norms = self.norms
        for toks, codes, is_dem in _GEO.get(norms[i], ()):
            j = i + len(toks)
            if j <= self.n and all(
                norms[i + k] == toks[k] and self.run_gap(i + k) for k in range(1, len(toks))
            ):
                if toks == ("us",) and self.raws[i] != "US":
                    continue
                return j, codes, is_dem
        return None


@functools.lru_cache(maxsize=64)
def checker_for(roster: tuple[RosterEntry, ...]) -> Checker:
    """Return the (cached) checker for a roster; a changed roster builds a new one."""
    return Checker(roster)
