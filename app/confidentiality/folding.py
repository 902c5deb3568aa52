"""Folding one word to the key it is matched by, and the keys for near-misses.

Everything here works on single tokens (words), so it changes no offsets and can be cached
per distinct token:

* :func:`fold` -- case (Unicode case folding after NFKC), diacritics, British/American
  spelling, look-alike letters of other scripts (Unicode TS #39 confusables, from the
  ``confusable-homoglyphs`` package) in a word that mixes scripts, transliteration of a word
  written wholly in another script (``anyascii``), and Arabic-script letter forms;
* :func:`phonetic` -- a transliteration key that merges the usual variants of names
  transcribed from Persian, Arabic, Pashto or Russian (Kh/H, Gh/G, ee/ei/ey/i, ou/oo/u,
  o/u, e/i, v/w, q/k/c, doubled letters);
* :func:`within` -- the edit distance allowed for a word of a given length, and
  :func:`deletions` for a deletion-neighbourhood index (lookups cost the same whatever the
  size of the directory);
* :func:`arabic_key` and :func:`written_pattern` -- matching a Latin name with the way a
  translator writes it in Arabic script (consonants and long vowels; short vowels unwritten);
* :func:`is_english_word` -- whether a word is an ordinary English word (the GNU
  Collaborative International Dictionary of English, from ``english-words``, with regular
  inflections), so that "mills", "wells" and "rose" are read as words.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import unicodedata
from importlib import resources

from anyascii import anyascii

# Neither package ships type information; both are used through the two calls below.
from confusable_homoglyphs import categories as _scripts  # type: ignore[import-untyped]
from confusable_homoglyphs.utils import (  # type: ignore[import-untyped]
    load as _load_confusables,
)

__all__ = [
    "arabic_key",
    "deletions",
    "fold",
    "is_arabic",
    "is_english_word",
    "mixed_scripts",
    "phonetic",
    "within",
    "written_pattern",
]

# Letters that NFKD does not decompose into a base letter plus combining marks.
_SPECIAL_LETTERS = str.maketrans(
    {"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "\u0131": "i", "ł": "l", "đ": "d", "ð": "d"}
    # Hamza and ayn of scholarly transliteration (U+02BE, U+02BF): not letters of the name.
    | {"\u02be": "", "\u02bf": ""}
    | {"þ": "th", "ħ": "h"}
)
# German/Scandinavian transliteration ("Müller" is also written "Mueller").
EXPANDED_LETTERS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "å": "aa"})

# Arabic-script letter forms that are written interchangeably: Persian and Arabic yeh and
# kaf, alef with hamza or wasla, teh marbuta and heh forms. (Hamza and madda above fall away
# with the other combining marks.)
_ARABIC_FORMS = str.maketrans(
    {
        "\u06cc": "\u064a",  # Farsi yeh
        "\u0649": "\u064a",  # alef maksura
        "\u06d2": "\u064a",  # yeh barree
        "\u06a9": "\u0643",  # keheh
        "\u06aa": "\u0643",  # swash kaf
        "\u0671": "\u0627",  # alef wasla
        "\u0629": "\u0647",  # teh marbuta
        "\u06c1": "\u0647",  # heh goal
        "\u06d5": "\u0647",  # ae
        "\u06be": "\u0647",  # heh doachashmee
    }
)
_ARABIC_LETTER = re.compile("[\u0620-\u064a\u066e-\u06d5\u06fa-\u06ff\u0750-\u077f]")
# Proclitics a translator attaches to a name: "and", "by", "for", "as", the article.
_ARABIC_PREFIXES = ("\u0648\u0627\u0644", "\u0628\u0627\u0644", "\u0644\u0644", "\u0627\u0644")
_ARABIC_ONE_LETTER = frozenset("\u0648\u0628\u0644\u0641\u0643")


def _data(name: str) -> str:
    return resources.files("app.confidentiality.data").joinpath(name).read_text(encoding="utf-8")


_SPELLING: dict[str, str] = json.loads(_data("vocab.json"))["spelling_synonyms"]


@functools.lru_cache(maxsize=1)
def _latin_lookalikes() -> dict[str, str]:
    """Each character with a single-letter ASCII look-alike in Unicode's confusables data."""
    table: dict[str, str] = {}
    data: dict[str, list[dict[str, str]]] = _load_confusables("confusables.json")
    for char, homoglyphs in data.items():
        if len(char) != 1 or char.isascii():
            continue
        for h in homoglyphs:
            target = h["c"]
            if len(target) == 1 and target.isascii() and target.isalnum():
                table[char] = target
                break
    return table


def is_arabic(token: str) -> bool:
    """Whether the token holds Arabic-script letters."""
    return _ARABIC_LETTER.search(token) is not None


def _script(c: str) -> str:
    return str(_scripts.alias(c))


@functools.lru_cache(maxsize=50_000)
def mixed_scripts(token: str) -> bool:
    """True for a word whose letters come from more than one script ("K\u0430rimova" with a
    Cyrillic a): nobody writes that, except to hide it."""
    if token.isascii():
        return False
    seen: set[str] = set()
    for c in token:
        if c.isalpha():
            script = _script(c)
            if script not in ("COMMON", "INHERITED", "Unknown"):
                seen.add(script)
                if len(seen) > 1:
                    return True
    return False


def _strip_marks(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.translate(_SPECIAL_LETTERS))
    return "".join(c for c in s if not unicodedata.combining(c))


def _fold_arabic(token: str) -> str:
    return _strip_marks(token).translate(_ARABIC_FORMS)


def _fold_other_script(cased: str) -> str:
    """A word with letters outside Latin (``cased``: NFKC, marks stripped, case kept, since
    look-alikes depend on case: Cyrillic capital en looks like "H", small en does not).

    A word that mixes Latin with other scripts is a disguise: each letter with a look-alike
    is read as it looks, any other transliterated. A word wholly in another script is a
    disguise if every letter has a look-alike, else a name written in that script
    (transliterated)."""
    table = _latin_lookalikes()
    if any(c.isascii() and c.isalpha() for c in cased):
        return "".join(c if c.isascii() else table.get(c) or anyascii(c) for c in cased).lower()
    out = []
    for c in cased:
        if c.isascii():
            out.append(c)
        elif c in table:
            out.append(table[c])
        else:
            return anyascii(cased).lower()
    return "".join(out).lower()


_FOLD_CACHE: dict[str, str] = {}
_CACHE_MAX = 200_000


def fold(raw: str) -> str:
    """The key a token is matched by (see the module's docstring)."""
    r = _FOLD_CACHE.get(raw)
    if r is not None:
        return r
    if raw.isascii():
        r = raw.lower()
    else:
        # NFKC first (mathematical and fullwidth letters have no case of their own), then
        # case folding, then NFKC again (folding can produce compatibility characters).
        s = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", raw).casefold())
        s = _strip_marks(s)
        if not s.isascii():
            if is_arabic(s):
                s = _fold_arabic(s)
            elif any(c.isalpha() and not c.isascii() for c in s):
                s = _fold_other_script(_strip_marks(unicodedata.normalize("NFKC", raw)))
        r = s
    r = _SPELLING.get(r, r)
    if len(_FOLD_CACHE) < _CACHE_MAX:
        _FOLD_CACHE[raw] = r
    return r


def arabic_variants(folded: str) -> list[str]:
    """A folded Arabic-script word and the same word without an attached proclitic."""
    out = [folded]
    for prefix in _ARABIC_PREFIXES:
        if folded.startswith(prefix) and len(folded) - len(prefix) >= 3:
            out.append(folded[len(prefix) :])
    if len(folded) >= 4 and folded[0] in _ARABIC_ONE_LETTER:
        out.append(folded[1:])
        for prefix in _ARABIC_PREFIXES:
            rest = folded[1:]
            if rest.startswith(prefix) and len(rest) - len(prefix) >= 3:
                out.append(rest[len(prefix) :])
    return out


# -- transliteration key ----------------------------------------------------------------------

_PHON_DIGRAPHS = (
    ("sch", "s"),
    ("tch", "c"),
    ("ch", "c"),
    ("kh", "h"),
    ("gh", "g"),
    ("ph", "f"),
    ("dh", "d"),
    ("th", "t"),
    ("sh", "s"),
    ("zh", "z"),
    ("ck", "k"),
    ("ou", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("ei", "i"),
    ("ey", "i"),
    ("ie", "i"),
    ("ai", "i"),
    ("ay", "i"),
    ("aa", "a"),
)
_PHON_LETTERS = str.maketrans(
    {"q": "k", "c": "k", "w": "v", "o": "u", "e": "i", "y": "i", "z": "s", "j": "j"}
)
_REPEAT = re.compile(r"(.)\1+")
_PHON_CACHE: dict[str, str] = {}


def phonetic(folded: str) -> str:
    """A coarse transliteration key: Hosseini/Husseini/Hosseyni, Haqqani/Khaqqani,
    Karimova/Karimowa, Qureshi/Kureishi all share one."""
    r = _PHON_CACHE.get(folded)
    if r is None:
        s = folded if folded.isascii() else anyascii(folded).lower()
        s = "".join(c for c in s if c.isalpha())
        for a, b in _PHON_DIGRAPHS:
            s = s.replace(a, b)
        r = _REPEAT.sub(r"\1", s.translate(_PHON_LETTERS))
        if len(_PHON_CACHE) < _CACHE_MAX:
            _PHON_CACHE[folded] = r
    return r


def within(length: int) -> int:
    """Edits allowed between a word of ``length`` letters and a name it may misspell."""
    if length >= 9:
        return 2
    if length >= 5:
        return 1
    return 0


def deletions(word: str, depth: int) -> set[str]:
    """``word`` and every string made by deleting up to ``depth`` of its letters."""
    out = {word}
    frontier = {word}
    for _ in range(depth):
        nxt: set[str] = set()
        for w in frontier:
            for k in range(len(w)):
                nxt.add(w[:k] + w[k + 1 :])
        out |= nxt
        frontier = nxt
    return out


# -- Latin names written in Arabic script -------------------------------------------------------

# How the letters of a Latin transcription come out in Arabic script, where short vowels are
# not written: an optional letter is written "?" after it. Digraphs first.
_WRITTEN_DIGRAPHS = (
    ("kh", "h"),
    ("gh", "g"),
    ("sh", "S"),
    ("ch", "S"),
    ("zh", "j"),
    ("th", "T"),
    ("dh", "D"),
    ("ph", "b"),
    ("ck", "k"),
    ("ou", "W"),
    ("oo", "W"),
    ("ee", "Y"),
    ("ei", "Y"),
    ("ey", "Y"),
    ("ai", "Y"),
    ("ay", "Y"),
    ("ie", "Y"),
    ("aa", ""),
)
_WRITTEN_LETTERS = str.maketrans(
    {
        "a": "",
        "e": "y?",
        "i": "y?",
        "o": "w?",
        "u": "w?",
        "W": "w",
        "Y": "y",
        "v": "[wfb]",
        "w": "w",
        "f": "[fw]",
        "p": "b",
        "q": "k",
        "c": "k",
        "g": "[gk]",
        "x": "ks",
        "z": "s",
        "j": "j",
        "T": "[ts]",
        "D": "[sd]h?",
    }
)
# What the same letters become when anyascii reads the Arabic-script word.
_ARABIC_LATIN = (("kh", "h"), ("gh", "g"), ("sh", "S"), ("ch", "S"), ("zh", "j"))
_ARABIC_LATIN_LETTERS = str.maketrans(
    {"q": "k", "z": "s", "p": "b", "d": "d", "a": "", "e": "", "i": "y", "o": "w", "u": "w"}
)


# Each Arabic, Persian, Pashto and Urdu letter as the Latin letter a transcription of a name
# uses for it (a translator writing a Latin name in Arabic script does the reverse): alef
# and ayn are unread, emphatic and plain consonants meet (t/t, s/s/th/dh/z), q is k.
_ARABIC_READING = str.maketrans(
    {
        **dict.fromkeys("اأإآٱءع", ""),
        **dict.fromkeys("بپ", "b"),
        **dict.fromkeys("تطټٹ", "t"),
        **dict.fromkeys("ثذزسصظځ", "s"),
        **dict.fromkeys("ج", "j"),
        **dict.fromkeys("ژږ", "j"),
        **dict.fromkeys("چشښڅ", "S"),
        **dict.fromkeys("حخهةھہە", "h"),
        **dict.fromkeys("دضډڈ", "d"),
        **dict.fromkeys("رړڑ", "r"),
        **dict.fromkeys("غ", "g"),
        **dict.fromkeys("گګ", "g"),
        **dict.fromkeys("ف", "f"),
        **dict.fromkeys("قکك", "k"),
        **dict.fromkeys("ل", "l"),
        **dict.fromkeys("م", "m"),
        **dict.fromkeys("نڼں", "n"),
        **dict.fromkeys("وؤ", "w"),
        **dict.fromkeys("يیىئېۍے", "y"),
    }
)


@functools.lru_cache(maxsize=50_000)
def arabic_key(folded: str) -> str:
    """An Arabic-script word read in Latin letters (consonants and long vowels)."""
    s = folded.translate(_ARABIC_READING)
    if not s.isascii():
        s = anyascii(s).lower()
        for a, b in _ARABIC_LATIN:
            s = s.replace(a, b)
        s = s.translate(_ARABIC_LATIN_LETTERS)
    s = "".join(c for c in s if c.isalpha())
    return _REPEAT.sub(r"\1", s)


_UNIT = re.compile(r"(\[[^\]]+\]|.)(\??)")


def _skeletons(pattern: str) -> set[str]:
    """Every consonant skeleton a word matching ``pattern`` can have (each letter class
    taken either way, each optional letter with or without it)."""
    options: list[tuple[str, ...]] = []
    for m in _UNIT.finditer(pattern):
        unit, optional = m.group(1), m.group(2)
        letters = tuple(unit[1:-1]) if unit.startswith("[") else (unit,)
        options.append(letters + (("",) if optional else ()))
    out: set[str] = set()
    for combo in itertools.islice(itertools.product(*options), 64):
        out.add(arabic_skeleton("".join(combo)))
    return out


def written_pattern(
    folded: str, *, shortest: int = 3
) -> tuple[frozenset[str], re.Pattern[str]] | None:
    """For a Latin name, its consonant skeletons and a pattern that the Arabic-script
    spelling (read by :func:`arabic_key`) must match; None for names too short to tell (see
    below)."""
    s = folded if folded.isascii() else anyascii(folded).lower()
    s = "".join(c for c in s if c.isalpha())
    if not s:
        return None
    s = _REPEAT.sub(r"\1", s)
    for a, b in _WRITTEN_DIGRAPHS:
        s = s.replace(a, b)
    # A final vowel is long (written): "-i"/"-y" is always yeh, "-o"/"-u" waw; "-a"/"-e" may
    # be written with heh, alef (unread) or not at all.
    tail = ""
    if s[-1] in "iy":
        s, tail = s[:-1], "y"
    elif s[-1] in "ou":
        s, tail = s[:-1], "w"
    elif s[-1] in "ae":
        s, tail = s[:-1], "[hy]?"
    body = s.translate(_WRITTEN_LETTERS)
    pattern = re.sub(r"([a-zA-Z])\1+", r"\1", body + tail)  # as arabic_key reads doubles
    skeletons = _skeletons(pattern)
    written = sum(1 for m in _UNIT.finditer(pattern) if not m.group(2))
    # Alone, a name needs four written letters: Arabic words of three root letters are too
    # many ("وارد" is not Ward). Beside a given name, two letters of each are enough.
    if written < shortest + 1 and (shortest >= 3 or max(len(k) for k in skeletons) < shortest):
        return None
    return frozenset(skeletons), re.compile(pattern)


def arabic_skeleton(key: str) -> str:
    """The consonant skeleton of an :func:`arabic_key`, comparable with
    :func:`written_pattern`'s (waw and feh both stand for v, so neither counts)."""
    return _REPEAT.sub(r"\1", re.sub("[ywf]", "", key))


# -- ordinary words ---------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _dictionary() -> frozenset[str]:
    from english_words import get_english_words_set  # type: ignore[import-untyped]  # untyped

    return frozenset(get_english_words_set(["gcide"], lower=True, alpha=True))


_INFLECTIONS = (
    ("ies", "y"),
    ("ves", "f"),
    ("es", ""),
    ("s", ""),
    ("ed", ""),
    ("ed", "e"),
    ("ing", ""),
    ("ing", "e"),
    ("er", ""),
    ("est", ""),
)


@functools.lru_cache(maxsize=100_000)
def is_english_word(folded: str) -> bool:
    """Whether ``folded`` is an ordinary English word or a regular inflection of one."""
    words = _dictionary()
    if folded in words:
        return True
    for suffix, repl in _INFLECTIONS:
        if folded.endswith(suffix) and len(folded) - len(suffix) >= 3:
            stem = folded[: -len(suffix)] + repl
            if stem in words:
                return True
    return False
