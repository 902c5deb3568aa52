# mypy: disable-error-code="attr-defined,no-untyped-call,assignment,return-value,unused-ignore"
# (reportlab internals this module extends: PDF objects with dynamic attributes, untyped hooks)
"""Shaped, bidirectional text for the PDF renderer: Dari, Pashto and Arabic (and any mix of
them with Latin acronyms and numbers), drawn with reportlab from fonts installed by pip.

reportlab embeds TrueType fonts by Unicode character, which cannot express shaped Arabic:
the initial, medial and final forms of a letter and its ligatures are glyphs without a
character of their own. So this module does the text layout itself:

* **bidi**: the Unicode Bidirectional Algorithm of ``python-bidi`` (the Rust crate
  ``unicode-bidi``) gives each character its embedding level; lines are broken in logical
  order and each line's runs are reordered for display (rule L2);
* **shaping**: HarfBuzz (``uharfbuzz``) shapes each run with the paragraph's language, so
  contextual forms, ligatures, mark positions and mirrored brackets are right;
* **embedding**: each glyph HarfBuzz chooses is given a private code in the embedded subset
  (:class:`ShapedTTFont`), and the subset's ``ToUnicode`` map sends that code back to the
  characters the glyph stands for, so copying and text extraction give back the text;
* **order in the file**: runs are written in logical order, each positioned where it is
  displayed; inside a run, Arabic-script glyphs are written right to left as they are seen
  (what text extractors such as pypdf and poppler expect of right-to-left script) and
  everything else left to right. Extraction therefore gives the logical text.

Nothing here needs a system library: HarfBuzz and the bidi algorithm come in wheels, the
fonts from ``fontpkg`` packages.
"""

from __future__ import annotations

import io
import itertools
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import uharfbuzz as hb
from bidi import get_display
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

# Private codes for shaped glyphs: plane 15 (supplementary private use), far from any
# character a font maps.
_FIRST_CODE = 0xF0000
# What extractors treat as right-to-left (pypdf: U+0590-U+08FF; poppler: the same blocks),
# plus the Arabic presentation forms.
_RTL_CHARS = re.compile(r"[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# Text with nothing but Arabic-script letters, spaces and neutral punctuation: every
# character of an RTL paragraph is then at level 1, and the bidi algorithm can be skipped.
_PLAIN_RTL = re.compile(
    r"[\u0600-\u065f\u066a-\u06ef\u06fa-\u06ff\u0750-\u077f\u08a0-\u08ff"
    r"\s\u200c\u200d.,:;!?«»\"'\-–—،؛؟()\[\]]*"
)
_LEVEL = re.compile(r"Level\(\s*(\d+),")
# Words and the spaces between them: the units text is shaped in.
_TOKENS = re.compile(r"\S+|\s+")


# -- fonts ----------------------------------------------------------------------------------


class ShapedTTFont(TTFont):
    """A reportlab TrueType font that can also embed glyphs chosen by HarfBuzz.

    Each (glyph, text) pair gets a private code point; the font's subsets map it to the
    glyph, and the ``ToUnicode`` map of the PDF maps it back to the text (several
    characters for a ligature).
    """

    def __init__(self, name: str, data: bytes, language: str | None = None) -> None:
        # Not "ASCII readable": that reserves codes 32-126 of the first subset for ASCII
        # characters, which this font never writes (every glyph gets a private code), so the
        # shaped glyphs of a document spread over more 256-code subsets, and a word switches
        # subsets (a new font operator and text matrix each time) far more often.
        super().__init__(name, io.BytesIO(data), asciiReadable=0)
        self._lock = threading.Lock()
        self._codes: dict[tuple[int, str, int], int] = {}
        self._texts: dict[int, str] = {}
        self._next = _FIRST_CODE
        self.hb_face = hb.Face(data)
        self.hb_font = hb.Font(self.hb_face)
        self.upem: int = self.hb_face.upem
        self._advances: dict[int, int] = {}

    def code_for(self, gid: int, text: str, advance: int) -> int:
        """The private code of a glyph standing for ``text`` and drawn ``advance`` font
        units wide (created on first use). The embedded width is the shaped advance, so
        that a line is written without position adjustments (which text extractors can
        mistake for spaces)."""
        key = (gid, text, advance)
        code = self._codes.get(key)
        if code is not None:
            return code
        with self._lock:
            code = self._codes.get(key)
            if code is None:
                code = self._next
                self._next += 1
                face = self.face
                face.charToGlyph[code] = gid
                face.charWidths[code] = round(advance * 1000 / self.upem)
                self._texts[code] = text
                self._codes[key] = code
        return code

    def glyph_advance(self, gid: int) -> int:
        """The glyph's default advance in font units (its ``hmtx`` width)."""
        advance = self._advances.get(gid)
        if advance is None:
            advance = self._advances[gid] = self.hb_font.get_glyph_h_advance(gid)
        return advance

    def addObjects(self, doc: Any) -> None:
        """As reportlab does, with a ``ToUnicode`` map that knows the private codes."""
        state = self.state.get(doc) or self._assignState(doc)
        state.frozen = 1
        for n, subset in enumerate(state.subsets):
            internal = self.getSubsetInternalName(n, doc)[1:]
            base = (b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX))).decode(
                "pdfdoc"
            )
            font = pdfdoc.PDFTrueTypeFont()
            font.__Comment__ = f"Font {self.fontName} subset {n}"
            font.Name = internal
            font.BaseFont = base
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = pdfdoc.PDFArray(list(map(self.face.getCharWidth, subset)))
            stream = pdfdoc.PDFStream()
            stream.content = self._to_unicode(base, subset)
            if doc.compression:
                stream.filters = [pdfdoc.PDFZCompress]
            font.ToUnicode = doc.Reference(stream, "toUnicodeCMap:" + base)
            font.FontDescriptor = self.face.addSubsetObjects(doc, base, subset)
            ref = doc.Reference(font, internal)
            doc.idToObject["BasicFonts"].dict[internal] = ref
        del self.state[doc]

    def _to_unicode(self, name: str, subset: Sequence[int]) -> str:
        def target(code: int) -> str:
            text = self._texts.get(code)
            if text is None:
                text = chr(code)
            return text.encode("utf-16-be").hex().upper() or "FEFF"

        lines = [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            f"/CIDSystemInfo << /Registry ({name}) /Ordering ({name}) /Supplement 0 >> def",
            f"/CMapName /{name} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *(f"<{i:02X}> <{target(code)}>" for i, code in enumerate(subset)),
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
        return "\n".join(lines)


@lru_cache(maxsize=8)
def _font_bytes(family: str, weight: int) -> bytes:
    """The file of a pip-installed (``fontpkg``) font family at ``weight``.

    The family is read from its own package (``fontpkg_<family>``) with fontpkg's resolver;
    ``fontpkg.path`` would first scan the entry points of every installed distribution
    (~40 ms on the first right-to-left rendering of a process)."""
    import importlib.resources
    import json

    import fontpkg

    root = importlib.resources.files(f"fontpkg_{family.replace('-', '_')}")
    meta = json.loads((root / "metadata.json").read_text(encoding="utf-8"))
    chosen = fontpkg.select_file(fontpkg.family_from_metadata(meta, root), weight, "normal", False)
    return Path(chosen.path).read_bytes()


_register_lock = threading.Lock()
_registered: dict[str, ShapedTTFont] = {}


def shaped_font(name: str, family: str, weight: int = 400) -> ShapedTTFont:
    """A registered :class:`ShapedTTFont` (loaded and registered once per process).

    Our own registry is asked, not ``pdfmetrics.getFont``: for a name it does not know yet,
    reportlab first searches its Type 1 fonts, parsing every AFM file it ships (~60 ms, a
    third of a first right-to-left rendering)."""
    with _register_lock:
        font = _registered.get(name)
        if font is None:
            font = ShapedTTFont(name, _font_bytes(family, weight))
            pdfmetrics.registerFont(font)
            _registered[name] = font
        return font


# -- bidi -----------------------------------------------------------------------------------


def embedding_levels(text: str, rtl: bool) -> list[int]:
    """The resolved embedding level of every character (UAX #9, rules up to I2).

    ``python-bidi`` exposes the levels of the ``unicode-bidi`` crate only through its debug
    output (one level per UTF-8 byte); a test pins the format, so an upgrade that changes
    it fails there rather than in a report.
    """
    if not text:
        return []
    if rtl and _PLAIN_RTL.fullmatch(text):
        return [1] * len(text)
    if not rtl and not _RTL_CHARS.search(text) and text.isascii():
        return [0] * len(text)
    debug = str(get_display(text, base_dir="R" if rtl else "L", debug=True))
    start = debug.index("levels:")
    end = debug.index("paragraphs:", start)
    per_byte = [int(n) for n in _LEVEL.findall(debug, start, end)]
    levels: list[int] = []
    offset = 0
    for ch in text:
        levels.append(per_byte[offset])
        offset += len(ch.encode())
    if offset != len(per_byte):
        raise RuntimeError("python-bidi's level output changed; see app/reports/render/shaping.py")
    return levels


def visual_runs(levels: Sequence[int], start: int, end: int) -> list[tuple[int, int, int]]:
    """The runs of one line, ``(start, end, level)``, in display order (rule L2)."""
    runs: list[tuple[int, int, int]] = []
    i = start
    while i < end:
        j = i + 1
        while j < end and levels[j] == levels[i]:
            j += 1
        runs.append((i, j, levels[i]))
        i = j
    if not runs:
        return runs
    top = max(r[2] for r in runs)
    lowest_odd = min(r[2] for r in runs) | 1
    for level in range(top, lowest_odd - 1, -1):
        k = 0
        while k < len(runs):
            if runs[k][2] >= level:
                m = k
                while m < len(runs) and runs[m][2] >= level:
                    m += 1
                runs[k:m] = runs[k:m][::-1]
                k = m
            else:
                k += 1
    return runs


# -- shaping --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Glyph:
    code: str  # one private (or plain) character of the embedded font
    advance: float  # in 1/1000 em
    default: float  # the embedded width of ``code``, in 1/1000 em
    cluster: int  # logical offset of the characters it stands for, in its run
    text: str  # the characters it stands for ("" for a second glyph of one character)
    dx: float = 0.0  # offsets in 1/1000 em (marks)
    dy: float = 0.0


@dataclass(frozen=True, slots=True)
class Shaped:
    glyphs: tuple[Glyph, ...]  # in display order
    width: float  # in 1/1000 em
    kinds: tuple[str, ...] = ()  # how extractors class each glyph's text (R, L or N)


_SHAPE_CACHE_SIZE = 20_000


class Shaper:
    """Shapes runs of text with one font and one language; results are cached (report
    texts repeat their words a great deal)."""

    def __init__(self, font: ShapedTTFont, language: str) -> None:
        self.font = font
        self.language = language
        self._cache: dict[tuple[str, bool], Shaped] = {}
        self._lock = threading.Lock()

    def shape(self, text: str, rtl: bool) -> Shaped:
        key = (text, rtl)
        found = self._cache.get(key)
        if found is not None:
            return found
        shaped = self._shape(text, rtl)
        with self._lock:
            if len(self._cache) > _SHAPE_CACHE_SIZE:
                self._cache.clear()
            self._cache[key] = shaped
        return shaped

    def width(self, text: str, size: float) -> float:
        """Width in points of ``text`` shaped on its own (for measuring words)."""
        rtl = bool(_RTL_CHARS.search(text))
        return self.shape(text, rtl).width * size / 1000

    def _shape(self, text: str, rtl: bool) -> Shaped:
        font = self.font
        buf = hb.Buffer()
        buf.add_str(text)
        buf.guess_segment_properties()
        buf.direction = "rtl" if rtl else "ltr"
        buf.language = self.language
        # One cluster per character where the font allows (a ligature still merges), so
        # every glyph can say which characters it stands for.
        buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
        hb.shape(font.hb_font, buf, {"kern": True, "liga": True})
        infos = buf.glyph_infos
        positions = buf.glyph_positions
        # Cluster boundaries (logical character offsets), to know what each glyph stands for.
        starts = sorted({info.cluster for info in infos})
        ends = {
            s: (starts[i + 1] if i + 1 < len(starts) else len(text)) for i, s in enumerate(starts)
        }
        scale = 1000 / font.upem
        glyphs: list[Glyph] = []
        width = 0.0
        # In a right-to-left buffer HarfBuzz lists glyphs in display order, last cluster
        # first; the first glyph met of a cluster in logical order carries its text.
        # What each glyph stands for: the characters of its cluster, shared out when the
        # font draws a cluster with several glyphs (one character each, the rest to the
        # last), so that text extraction gives every character back exactly once.
        members: dict[int, list[int]] = {}
        for index in range(len(infos) - 1, -1, -1) if rtl else range(len(infos)):
            members.setdefault(infos[index].cluster, []).append(index)
        texts: dict[int, str] = {}
        for cluster, indexes in members.items():
            chars = text[cluster : ends[cluster]]
            for k, index in enumerate(indexes):
                last = k == len(indexes) - 1
                texts[index] = chars[k:] if last else chars[k : k + 1]
        for index, (info, pos) in enumerate(zip(infos, positions, strict=True)):
            gid = info.codepoint
            part = texts[index] or "\u200b"
            code = font.code_for(gid, part, pos.x_advance)
            advance = pos.x_advance * scale
            glyphs.append(
                Glyph(
                    code=chr(code),
                    advance=advance,
                    default=round(pos.x_advance * 1000 / font.upem),
                    cluster=info.cluster,
                    text=texts[index],
                    dx=pos.x_offset * scale,
                    dy=pos.y_offset * scale,
                )
            )
            width += advance
        return Shaped(tuple(glyphs), width, tuple(_extractor_class(g.text) for g in glyphs))


# -- drawing --------------------------------------------------------------------------------


@dataclass(slots=True)
class Piece:
    """A run of one line, shaped, placed at ``x`` (points from the line's left edge);
    ``start`` is the logical offset of its first character in the paragraph."""

    shaped: Shaped
    shaper: Shaper
    size: float
    color: Any
    x: float
    start: int = 0
    link: str | None = None


# How text extractors class characters (pypdf's ranges; poppler's are alike): right-to-left,
# neutral (kept in place), or left-to-right.
_NEUTRAL = re.compile(r"[\x00-\x2f\x3a-\x40\u0660-\u066d\u06f0-\u06f9\u2000-\u206f\u20a0-\u21ff]")


def _extractor_class(text: str) -> str:
    ch = text[:1]
    if not ch or _NEUTRAL.match(ch):
        return "N"
    return "R" if _RTL_CHARS.match(ch) else "L"


# A glyph placed on a line: (logical offset, display order, extractor class, glyph, x, size,
# font). Tuples, sorted as they are: the display order is unique, so sorting never compares
# further than the second item.
_Placed = tuple[int, int, str, Glyph, float, float, ShapedTTFont]


def _blocks(placed: list[_Placed]) -> list[tuple[str, list[_Placed]]]:
    """The line's glyphs cut into blocks in logical order, each written so that an extractor
    reading the file gives back the logical text: a right-to-left block ends on a
    right-to-left character and is written back to front; neutral characters after one stand
    alone (an extractor would otherwise reverse them with it)."""
    placed.sort()
    blocks: list[tuple[str, list[_Placed]]] = []
    pending: list[_Placed] = []
    current: str | None = None
    for item in placed:
        kind = item[2]
        if kind == "N":
            if current == "R":
                pending.append(item)
            else:
                if current is None:
                    blocks.append(("N", []))
                    current = "N"
                blocks[-1][1].append(item)
            continue
        if kind == "R" and current == "R":
            if pending:
                blocks[-1][1].extend(pending)
                pending = []
            blocks[-1][1].append(item)
            continue
        if pending:
            # Neutrals after a right-to-left block stand alone, whatever follows them.
            blocks.extend(("N", [p]) for p in pending)
            pending = []
        if kind == current or (current == "N" and kind == "L"):
            if current == "N":
                blocks[-1] = ("L", blocks[-1][1])
            blocks[-1][1].append(item)
        else:
            blocks.append((kind, [item]))
        current = blocks[-1][0]
    blocks.extend(("N", [p]) for p in pending)
    return blocks


def draw_pieces(canvas: Canvas, x0: float, y: float, pieces: Sequence[Piece]) -> None:
    """Write a line's pieces: each glyph where it is displayed, in an order that extracts as
    the logical text (see the module's docstring)."""
    code: list[str] = canvas._code  # type: ignore[attr-defined]  # reportlab's content list
    doc = canvas._doc  # type: ignore[attr-defined]
    placed: list[_Placed] = []
    order = 0
    for piece in pieces:
        x = x0 + piece.x
        size = piece.size
        scale = size / 1000
        font = piece.shaper.font
        start = piece.start
        shaped = piece.shaped
        for glyph, kind in zip(shaped.glyphs, shaped.kinds, strict=True):
            placed.append((start + glyph.cluster, order, kind, glyph, x, size, font))
            order += 1
            x += glyph.advance * scale
    if not placed:
        return
    code.append("BT")
    for piece in pieces:
        if piece.color is not None:
            canvas.setFillColor(piece.color)
            break
    for kind, block in _blocks(placed):
        if kind == "R":
            block.reverse()
        # A block is cut where the font, its size or its subset changes; the parts keep the
        # block's logical order, each written in the block's direction.
        parts: list[tuple[ShapedTTFont, int, float, list[tuple[_Placed, int]]]] = []
        i, n = 0, len(block)
        while i < n:
            font, size = block[i][6], block[i][5]
            j = i + 1
            while j < n and block[j][6] is font and block[j][5] == size:
                j += 1
            k = i
            text = "".join(item[3].code for item in block[i:j])
            for subset, data in font.splitString(text, doc):
                last = parts[-1] if parts else None
                if last is not None and last[0] is font and last[1] == subset and last[2] == size:
                    glyphs = last[3]
                else:
                    glyphs = []
                    parts.append((font, subset, size, glyphs))
                for byte in data:
                    glyphs.append((block[k], byte))
                    k += 1
            i = j
        if kind == "R" and len(parts) > 1:
            parts.reverse()
        for font, subset, size, glyphs in parts:
            _emit(code, canvas, font.getSubsetInternalName(subset, doc), size, glyphs, y)
    code.append("ET")
    for piece in pieces:
        if piece.link:
            canvas.linkURL(
                piece.link,
                (
                    x0 + piece.x,
                    y - piece.size * 0.25,
                    x0 + piece.x + piece.shaped.width * piece.size / 1000,
                    y + piece.size * 0.9,
                ),
                relative=1,
            )


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _emit(
    code: list[str],
    canvas: Canvas,
    font_name: str,
    size: float,
    glyphs: Sequence[tuple[_Placed, int]],
    y: float,
) -> None:
    """A ``Tf`` (which also tells extractors that a new piece of text starts), a ``Tm`` at
    the first glyph, then ``TJ`` arrays whose adjustments put every glyph where it is
    displayed, whatever order they are written in. Glyphs that follow one another on the
    page are written as one string."""
    escape = canvas._escape  # type: ignore[attr-defined]
    code.append(f"{font_name} {_num(size)} Tf")
    scale = size / 1000
    items: list[str] = []
    run = bytearray()
    pen: float | None = None
    for item, byte in glyphs:
        glyph = item[3]
        target = item[4] + glyph.dx * scale
        if pen is None or glyph.dy or target - pen > 0.005:
            # A new matrix for a move to the right: in a TJ array an extractor would take it
            # for a space between words.
            if run:
                items.append(f"({escape(bytes(run))})")
                run.clear()
            if items:
                code.append(f"[{' '.join(items)}] TJ")
                items = []
            code.append(f"1 0 0 1 {_num(target)} {_num(y + glyph.dy * scale)} Tm")
        elif pen - target > 0.005:
            if run:
                items.append(f"({escape(bytes(run))})")
                run.clear()
            items.append(_num((pen - target) / scale))
        run.append(byte)
        pen = target + glyph.default * scale
        if glyph.dy:
            items.append(f"({escape(bytes(run))})")
            run.clear()
            code.append(f"[{' '.join(items)}] TJ")
            items = []
            pen = None
    if run:
        items.append(f"({escape(bytes(run))})")
    if items:
        code.append(f"[{' '.join(items)}] TJ")


# -- paragraphs -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    text: str
    bold: bool = False
    link: str | None = None
    color: Any = None


@dataclass(slots=True)
class TextStyle:
    """How a shaped paragraph looks (sizes in points)."""

    size: float = 10
    leading: float = 14
    space_before: float = 0
    space_after: float = 7
    color: Any = None
    align: str = "start"  # start | end | center
    indent: float = 0  # on the start side, for every line
    bullet: str | None = None  # drawn in the indent, on the start side
    keep_with_next: bool = False
    bold: bool = False


@dataclass(slots=True)
class FontSet:
    regular: Shaper
    bold: Shaper

    def shaper(self, bold: bool) -> Shaper:
        return self.bold if bold else self.regular


@dataclass(slots=True)
class _Line:
    pieces: list[Piece] = field(default_factory=list)
    width: float = 0.0


class ShapedParagraph(Flowable):  # type: ignore[misc]  # reportlab has no type hints here
    """A paragraph of shaped, bidirectional text: wraps, splits across pages without
    leaving one line behind or carrying one line over (orphans and widows), aligns to the
    paragraph direction's start, and draws live links."""

    def __init__(
        self, spans: Sequence[Span], fonts: FontSet, style: TextStyle, *, rtl: bool
    ) -> None:
        super().__init__()
        self.spans = [s for s in spans if s.text]
        self.fonts = fonts
        self.style = style
        self.rtl = rtl
        self.keepWithNext = style.keep_with_next
        self._lines: list[_Line] = []
        self._width = 0.0

    # The text as one string, the span of each character, and the bidi levels.
    def _logical(self) -> tuple[str, list[int], list[int]]:
        text = "".join(s.text for s in self.spans)
        owner: list[int] = []
        for i, span in enumerate(self.spans):
            owner.extend([i] * len(span.text))
        return text, owner, embedding_levels(text, self.rtl)

    def _layout(self, width: float) -> list[_Line]:
        style = self.style
        text, owner, levels = self._logical()
        avail = max(width - style.indent, 10.0)
        # Break opportunities: after each space (kept with the word before it).
        words = [(m.start(), m.end()) for m in re.finditer(r"\S+\s*|\s+", text)]
        lines: list[tuple[int, int]] = []
        start = 0
        used = 0.0
        for w_start, w_end in words:
            core_end = w_start + len(text[w_start:w_end].rstrip())
            width_word = self._measure(text, owner, w_start, core_end)
            space = self._measure(text, owner, core_end, w_end)
            if used and used + width_word > avail:
                lines.append((start, w_start))
                start, used = w_start, 0.0
            if width_word > avail:
                # A word longer than the line (a long address): cut it where it must.
                cut = w_start
                for k in range(w_start + 1, core_end + 1):
                    if self._measure(text, owner, cut, k) > avail and k - 1 > cut:
                        lines.append((cut, k - 1))
                        cut = k - 1
                start = cut
                used = self._measure(text, owner, cut, core_end) + space
                continue
            used += width_word + space
        if start < len(text):
            lines.append((start, len(text)))
        out: list[_Line] = []
        for a, b in lines:
            while b > a and text[b - 1].isspace():
                b -= 1
            out.append(self._line(text, owner, levels, a, b))
        return out

    def _measure(self, text: str, owner: Sequence[int], a: int, b: int) -> float:
        total = 0.0
        i = a
        while i < b:
            j = i + 1
            while j < b and owner[j] == owner[i]:
                j += 1
            span = self.spans[owner[i]]
            total += self.fonts.shaper(span.bold or self.style.bold).width(
                text[i:j], self.style.size
            )
            i = j
        return total

    def _line(
        self, text: str, owner: Sequence[int], levels: Sequence[int], a: int, b: int
    ) -> _Line:
        line = _Line()
        size = self.style.size
        x = 0.0
        for r_start, r_end, level in visual_runs(levels, a, b):
            # A run is cut again where its span changes (bold, link).
            cuts = [r_start]
            for k in range(r_start + 1, r_end):
                if owner[k] != owner[k - 1]:
                    cuts.append(k)
            cuts.append(r_end)
            segments = list(itertools.pairwise(cuts))
            if level % 2:
                segments.reverse()
            rtl = bool(level % 2)
            for s, e in segments:
                span = self.spans[owner[s]]
                shaper = self.fonts.shaper(span.bold or self.style.bold)
                color = span.color or self.style.color
                # Shaped word by word (a space ends every joining and ligature), so that
                # shapes come from the shaper's cache, as they do when lines are measured;
                # a link stays one piece (one live area).
                words = [(s, e)] if span.link else [m.span() for m in _TOKENS.finditer(text, s, e)]
                if rtl:
                    words.reverse()
                for ws, we in words:
                    shaped = shaper.shape(text[ws:we], rtl)
                    line.pieces.append(
                        Piece(
                            shaped=shaped,
                            shaper=shaper,
                            size=size,
                            color=color,
                            x=x,
                            start=ws,
                            link=span.link,
                        )
                    )
                    x += shaped.width * size / 1000
        line.width = x
        return line

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if not self._lines or self._width != availWidth:
            self._lines = self._layout(availWidth)
            self._width = availWidth
        self.width = availWidth
        self.height = len(self._lines) * self.style.leading
        return availWidth, self.height

    def getSpaceBefore(self) -> float:
        return self.style.space_before

    def getSpaceAfter(self) -> float:
        return self.style.space_after

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        self.wrap(availWidth, availHeight)
        fit = int(availHeight // self.style.leading)
        total = len(self._lines)
        if fit >= total:
            return [self]
        # No lone first line at a page foot, no lone last line at the next page's head.
        if fit < 2 or total < 4:
            return []
        fit = min(fit, total - 2)
        head = self._part(self._lines[:fit], first=True)
        tail = self._part(self._lines[fit:], first=False)
        return [head, tail]

    def _part(self, lines: list[_Line], *, first: bool) -> ShapedParagraph:
        style = self.style
        part_style = TextStyle(
            size=style.size,
            leading=style.leading,
            space_before=style.space_before if first else 0,
            space_after=0 if first else style.space_after,
            color=style.color,
            align=style.align,
            indent=style.indent,
            bullet=style.bullet if first else None,
            keep_with_next=False if first else style.keep_with_next,
            bold=style.bold,
        )
        part = ShapedParagraph(self.spans, self.fonts, part_style, rtl=self.rtl)
        part._lines = lines
        part._width = self._width
        return part

    def draw(self) -> None:
        canvas: Canvas = self.canv
        style = self.style
        width = self._width
        y = self.height - style.size
        for index, line in enumerate(self._lines):
            free = width - style.indent - line.width
            # The indent is on the start side: the right in a right-to-left paragraph.
            left = 0.0 if self.rtl else style.indent
            if style.align == "center":
                offset = left + free / 2
            elif (style.align == "start") == self.rtl:
                offset = left + free  # flush right
            else:
                offset = left  # flush left
            if index == 0 and style.bullet:
                # Before the line's text, so that it is read (and copied) first.
                marker = self.marker_line()
                bx = width - marker.width if self.rtl else 0.0
                draw_pieces(canvas, bx, y, marker.pieces)
            draw_pieces(canvas, offset, y, line.pieces)
            y -= style.leading

    def marker_line(self) -> _Line:
        """The list marker (number and full stop) laid out in the paragraph's direction: in
        a right-to-left list the stop is on the left of the number, where the reader meets
        it last (on the right, next to the digits, it reads as a Persian zero: ten became a
        hundred)."""
        marker = ShapedParagraph(
            [Span(self.style.bullet or "")],
            self.fonts,
            TextStyle(size=self.style.size, color=self.style.color),
            rtl=self.rtl,
        )
        text, owner, levels = marker._logical()
        return marker._line(text, owner, levels, 0, len(text))

    def text_width(self) -> float:
        return max((line.width for line in self._lines), default=0.0)


def draw_text(
    canvas: Canvas,
    text: str,
    x: float,
    y: float,
    fonts: FontSet,
    size: float,
    *,
    rtl: bool,
    anchor: str = "start",
    bold: bool = False,
    color: Any = None,
) -> float:
    """One line of shaped text at ``(x, y)``; ``anchor`` start/end/middle in the line's
    direction (start is the right end for RTL). Returns its width."""
    paragraph = ShapedParagraph(
        [Span(text, bold=bold, color=color)],
        fonts,
        TextStyle(size=size, leading=size * 1.2, space_after=0, color=color),
        rtl=rtl,
    )
    text_, owner, levels = paragraph._logical()
    line = paragraph._line(text_, owner, levels, 0, len(text_))
    w = line.width
    if anchor == "middle":
        left = x - w / 2
    elif (anchor == "start") == rtl:
        left = x - w  # the anchor is the line's right end
    else:
        left = x
    draw_pieces(canvas, left, y, line.pieces)
    return w
