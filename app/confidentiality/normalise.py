"""Normalisation of a text before it is matched against a series directory.

Text copied from word processors, e-mails and notes is not clean. A name can be hidden from a
naive matcher, and still read plainly by a person, with

* compatibility letters: mathematical bold or italic, fullwidth, circled, ligatures
  (NFKC folds them to plain letters);
* invisible characters: soft hyphens, zero-width spaces and joiners, word joiners, byte-order
  marks (removed);
* direction controls: embeddings, overrides and isolates (removed; a right-to-left override
  also *reverses* what it covers on screen, so that span is read backwards as well, and a
  word carrying such a control is reported);
* other spaces (no-break, thin, ideographic) and line separators (plain spaces);
* a hyphen or soft hyphen at a line break inside a word ("Kari-\\nmova": joined);
* U+2010/U+2011 hyphens and U+02BC/U+2019 apostrophes (plain hyphen and apostrophe);
* HTML character references ("Kari&#109;ova", "&shy;"): decoded, wherever the text will be
  shown, because one careless renderer is enough;
* Arabic-script diacritics and tatweel (removed; letter forms are unified per token, see
  :func:`app.confidentiality.checker._norm`).

:func:`normalise` keeps, for every character of the result, the offset of the character of the
source it came from, so that findings point into the text the user typed. Folding letters per
token (case, diacritics, look-alikes from other scripts, transliteration) is done by the
matcher on tokens, where it changes no offsets.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["BIDI_CONTROLS", "Normalised", "normalise"]

# Embeddings, overrides and isolates, and the marks that steer direction.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_RTL_OVERRIDE = "\u202e"
_OVERRIDE_END = frozenset("\u202c\u2069\n\r\u2029")
_HYPHENS = {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\ufe63": "-", "\uff0d": "-"}
_APOSTROPHES = dict.fromkeys("\u02bc\u02bb\u2019\u02b9\u0060\u00b4\u2032\uff07", "'")
# Arabic harakat, Quranic marks, superscript alef, tatweel: never part of the letters.
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
# A hyphen (or soft hyphen) ending a line inside a word: the word goes on on the next line.
# Also with a space before the hyphen, an "=" (a quoted-printable soft line break pasted from a
# raw e-mail), and an empty line after it (a paragraph break inserted by a converter).
_LINE_BREAK_HYPHEN = re.compile(
    r"(?<=[^\W\d_])[ \t]?[-\u2010\u2011\u00ad=][ \t]*(?:\r\n|\r|\n|\u2028)"
    r"(?:[ \t]*(?:\r\n|\r|\n|\u2028))?[ \t]*(?=[^\W\d_])"
)
# An apostrophe for a hamza or ayn before a word's last vowel ("Nurza'i", "Tabataba'i",
# "Shi'a"): the word is written on without it.
_HAMZA_APOSTROPHE = re.compile(r"(?<=[^\W\d_])['\u2019\u02bc](?=[aeiouy\u0101\u012b\u016b]{1,2}\b)")
_INTRAWORD_MARKUP = re.compile(r"(?<=[^\W\d_])(?:[\\*_~`^|]+|\[\^?[0-9]{1,3}\])(?=[^\W\d_])")
_ENTITY = r"&(?:#[0-9]{1,7};?|#[xX][0-9a-fA-F]{1,6};?|[A-Za-z][A-Za-z0-9]{1,31};?)"
# HTML comments and tags: a renderer hides them, so "Kari<b></b>mova" and "Kari<!-- -->mova"
# read as one word. Inline elements join their neighbours; any other tag separates words.
_MARKUP = re.compile(
    _ENTITY + r"|<!--.*?-->|</?([A-Za-z][A-Za-z0-9]{0,15})(?:\s[^<>]{0,200})?/?>", re.DOTALL
)
_INLINE_TAGS = frozenset(
    "a abbr b bdi bdo cite code del dfn em font i ins kbd mark q s samp small span strong sub"
    " sup time u var wbr".split()
)
# Anything that is not plain printable ASCII (or tab and line breaks), an entity's ampersand,
# or a hyphen at a line end: the fast path skips texts without any of these.
_SPECIAL = re.compile(r"[^\t\n\r\x20-\x7e]|[&*_~`^|\[\\]|<[A-Za-z/!]|[-=][ \t]*[\r\n]")
_ASCII_LEET = re.compile(r"[A-Za-z][@$013457][A-Za-z]")

# Default-ignorable characters that are not format controls (Unicode's
# Default_Ignorable_Code_Point, less Cf): Hangul fillers, Khmer inherent vowels.
_IGNORABLE = frozenset("\u115f\u1160\u17b4\u17b5\u3164\uffa0")
# Digits and symbols written for look-alike letters inside a word ("K@rimova", "H0sseini").
_LEET = {"@": "a", "$": "s", "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"}
_LEET_RE = re.compile(r"(?<=[^\W\d_])[@$013457](?=[^\W\d_])")
_MAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_CHAR_CACHE: dict[str, str] = {}


def _enclosed_letter(c: str) -> str | None:
    """The Latin letter inside an enclosed or symbol letter that NFKC leaves alone or wraps
    in parentheses (negative circled and squared letters, regional indicators, parenthesised
    letters)."""
    name = unicodedata.name(c, "")
    if ("LATIN" in name or "REGIONAL INDICATOR" in name) and name[-2:-1] == " ":
        letter = name[-1]
        if "A" <= letter <= "Z":
            return letter.lower() if "SMALL" in name else letter
    return None


def _map_char(c: str) -> str:
    """What one non-ASCII (or control) character becomes; '' when it is dropped."""
    found = _CHAR_CACHE.get(c)
    if found is not None:
        return found
    category = unicodedata.category(c)
    if category in ("Cf", "Mn", "Me") or _ARABIC_MARKS.match(c) or c in _IGNORABLE:
        # Invisible in print: format controls, combining marks (a name's accents are folded
        # away anyway, and a stray one would split a word), variation selectors, fillers.
        out = ""
    elif c in _HYPHENS:
        out = _HYPHENS[c]
    elif c in _APOSTROPHES:
        out = _APOSTROPHES[c]
    elif category in ("Zs", "Zl", "Zp"):
        out = "\n" if category != "Zs" else " "
    elif category == "Cc":
        out = c if c in "\t\n\r" else " "
    elif category == "So" and (letter := _enclosed_letter(c)) is not None:
        out = letter
    else:
        out = unicodedata.normalize("NFKC", c)
        # NFKC may produce characters of the other kinds above ("\u2011" is stable, but a
        # compatibility space is not): fold those too.
        if out != c:
            out = "".join(_map_char(o) if o != c else o for o in out)
    _CHAR_CACHE[c] = out
    return out


@dataclass(frozen=True, slots=True)
class Normalised:
    """A text ready for matching, with the way back to the source.

    ``origin[i]`` is the offset in the source of ``text[i]`` (``None``: the text is the
    source). ``reversed_spans`` are ranges of ``text`` that a right-to-left override shows
    backwards; ``controls`` are source offsets of direction controls.
    """

    source: str
    text: str
    origin: tuple[int, ...] | None
    reversed_spans: tuple[tuple[int, int], ...] = ()
    controls: tuple[int, ...] = ()

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The source range that the normalised range ``[start, end)`` came from."""
        if self.origin is None:
            return start, end
        if end <= start:
            at = self.origin[start] if start < len(self.origin) else len(self.source)
            return at, at
        return self.origin[start], self.origin[end - 1] + 1


def _decode_entities(text: str) -> tuple[str, list[int]] | None:
    """Decode character references and drop markup; None when there is nothing to do."""
    pieces: list[str] = []
    origin: list[int] = []
    last = 0
    changed = False
    for m in _MARKUP.finditer(text):
        whole = m.group(0)
        if whole[0] == "&":
            decoded = html.unescape(whole)
            if decoded == whole:
                continue
        elif whole.startswith("<!--") or (m.group(1) or "").lower() in _INLINE_TAGS:
            decoded = ""
        else:
            decoded = " "
        changed = True
        pieces.append(text[last : m.start()])
        origin.extend(range(last, m.start()))
        pieces.append(decoded)
        origin.extend([m.start()] * len(decoded))
        last = m.end()
    if not changed:
        return None
    pieces.append(text[last:])
    origin.extend(range(last, len(text)))
    return "".join(pieces), origin


def normalise(source: str) -> Normalised:
    """Normalise ``source`` for matching (see the module's docstring)."""
    if (
        _SPECIAL.search(source) is None
        and _ASCII_LEET.search(source) is None
        and ("'" not in source or _HAMZA_APOSTROPHE.search(source) is None)
    ):
        return Normalised(source, source, None)
    text = source
    base: list[int] | None = None
    if "&" in text or "<" in text:
        decoded = _decode_entities(text)
        if decoded is not None:
            text, base = decoded
    mail = [m.span() for m in _MAIL.finditer(text)] if "@" in text else []
    leet = {
        m.start(): _LEET[m.group(0)]
        for m in _LEET_RE.finditer(text)
        if not any(a <= m.start() < b for a, b in mail)
    }
    # Line-break hyphens are removed together with the line break and its indentation.
    dropped: set[int] = set()
    for m in _LINE_BREAK_HYPHEN.finditer(text):
        dropped.update(range(m.start(), m.end()))
    # Markup left inside a word by a renderer that did not take it ("Kari\\*mova" shows
    # "Kari*mova"; "Kari_mova_", "Kari[1]mova"): dropped, the word read whole.
    for m in _INTRAWORD_MARKUP.finditer(text):
        dropped.update(range(m.start(), m.end()))
    if "'" in text or "\u2019" in text or "\u02bc" in text:
        for m in _HAMZA_APOSTROPHE.finditer(text):
            dropped.add(m.start())
    out: list[str] = []
    origin: list[int] = []
    controls: list[int] = []
    reversed_spans: list[tuple[int, int]] = []
    override_start: int | None = None
    for i, c in enumerate(text):
        src = base[i] if base is not None else i
        if i in dropped:
            continue
        if c in BIDI_CONTROLS:
            controls.append(src)
            if c == _RTL_OVERRIDE:
                if override_start is None:
                    override_start = len(out)
            elif c in _OVERRIDE_END and override_start is not None:
                reversed_spans.append((override_start, len(out)))
                override_start = None
            continue
        if override_start is not None and c in "\n\r\u2029":
            reversed_spans.append((override_start, len(out)))
            override_start = None
        if i in leet:
            out.append(leet[i])
            origin.append(src)
            continue
        if " " <= c <= "~" or c in "\t\n\r":
            out.append(c)
            origin.append(src)
            continue
        mapped = _map_char(c)
        for o in mapped:
            out.append(o)
            origin.append(src)
    if override_start is not None:
        reversed_spans.append((override_start, len(out)))
    return Normalised(
        source=source,
        text="".join(out),
        origin=tuple(origin),
        reversed_spans=tuple(s for s in reversed_spans if s[1] > s[0]),
        controls=tuple(controls),
    )
