"""Full-text search over approved key points: the rules, the ranking and the SQL.

The database only finds which approved points match every query word (SQLite: the FTS5 table
``key_point_search``; PostgreSQL: the partial GIN index on ``to_tsvector('track2_porter', text)``),
within the series the caller may see. Ranking, snippets and pagination happen here, in Python,
so both backends answer in exactly the same order. docs/search.md explains the choices.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import html
import json
import re
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, Field
from sqlalchemy import (
    ColumnClause,
    ColumnElement,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import InvalidRequest
from app.key_points.models import KeyPoint, KeyPointStatus, KeyPointTheme
from app.kit.pagination import PageParams, decode_cursor, split_page
from app.series.models import DialogueSeries, SeriesMember, Theme
from app.series.service import SeriesService
from app.sessions.models import DialogueSession
from app.users.service import Principal

MAX_QUERY_LENGTH = 200
CANDIDATE_CAP = 1000
"""At most this many matching points (the newest) are ranked per query."""
SNIPPET_LENGTH = 200
INLINE_RANK_CHARS = 100_000
"""Candidates with more text than this are ranked in a worker thread."""

# PostgreSQL's 'english' stop words (tsearch_data/english.stop). PostgreSQL drops them from a
# query, FTS5 would require them; dropping them here first makes both backends see the same
# words.
_STOP_WORDS_TEXT = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom
    this that these those am is are was were be been being have has had having do does did
    doing a an the and but if or because as until while of at by for with about against
    between into through during before after above below to from up down in out on off over
    under again further then once here there when where why how all any both each few more
    most other some such no nor not only own same so than too very s t can will just don
    should now
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

# What FTS5's unicode61 tokenizer calls a token: letters and digits; everything else
# (punctuation, FTS or tsquery syntax, underscores) separates words.
_WORD = re.compile(r"[^\W_]+")

_APPROVED: ColumnClause[str] = literal_column(f"'{KeyPointStatus.APPROVED.value}'")
# PostgreSQL's text search configuration (migration 0007): 'english' with the original Porter
# stemmer, as FTS5's. Spelled as in the index expression, so the planner uses the index.
_TS_CONFIG: ColumnClause[str] = literal_column("'track2_porter'")
_FTS_TABLE = table("key_point_search", column("key_point_id"), column("text"))


class KeyPointHit(BaseModel):
    """One approved key point that matches a search. No author: by design."""

    key_point_id: uuid.UUID
    session_id: uuid.UUID
    session_number: int
    session_title: str
    series_id: uuid.UUID
    series_title: str
    part_id: uuid.UUID | None
    text: str
    themes: list[str] = Field(description="Theme slugs, in the series' taxonomy order.")
    snippet: str = Field(
        description="Up to ~200 characters of the text around the matches, HTML-escaped, "
        "with each match wrapped in <mark>…</mark>."
    )
    score: float = Field(
        description="Query words found plus a bonus below 1 for how often they occur; "
        "higher ranks first. Only comparable within one search."
    )


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """What to search for and where."""

    q: str
    series_id: uuid.UUID | None = None
    theme: str | None = None


@dataclass(frozen=True, slots=True)
class _Ranked:
    id: uuid.UUID
    text: str
    matched: int
    hits: int

    @property
    def order(self) -> tuple[int, int, int]:
        # More query words found, then more occurrences, then the newest point (UUIDv7 ids
        # sort in creation order): a total order, identical on every backend.
        return (-self.matched, -self.hits, -self.id.int)


@dataclass(slots=True)
class _HitContext:
    part_id: uuid.UUID | None
    session_id: uuid.UUID
    session_number: int
    session_title: str
    series_id: uuid.UUID
    series_title: str
    themes: list[str] = field(default_factory=list)


def search_terms(q: str) -> tuple[str, ...]:
    """The query's distinct words, lowercased, without stop words; 422 naming ``q`` if none."""
    words = _WORD.findall(q.lower())
    if not words:
        raise InvalidRequest.single("q", "Give at least one word to search for", location="query")
    terms = tuple(dict.fromkeys(w for w in words if w not in STOP_WORDS))
    if not terms:
        raise InvalidRequest.single(
            "q",
            "Has only very common words (such as 'the' and 'of'), which are not searched; "
            "add a more specific word",
            location="query",
        )
    return terms


# Cached: ranking a thousand candidates stems the same few thousand words over and over.
@functools.lru_cache(maxsize=1 << 16)
def normalise(word: str) -> str:
    """A light Porter-style stem, used only to rank and to highlight (the database decides
    what matches). "Ceasefires", "ceasefire" and "negotiations", "negotiated" conflate.

    It only ever cuts or rewrites endings and keeps at least two letters, so a word's first two
    letters are its stem's: ``Matcher`` relies on that to skip most words unstemmed.
    """
    w = word.lower()
    if len(w) <= 3 or not w.isascii():
        return w
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies") and len(w) >= 5:
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        stem = w[: -len(suffix)]
        if w.endswith(suffix) and len(stem) >= 3 and any(c in "aeiouy" for c in stem):
            w = stem[:-1] if stem[-1] == stem[-2] and stem[-1] not in "lsz" else stem
            break
    for suffix, replacement in (("ational", "ate"), ("ation", "ate"), ("ment", ""), ("ness", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[: -len(suffix)] + replacement
            break
    if w.endswith("ly") and len(w) >= 6:
        w = w[:-2]
    return w[:-1] if w.endswith("e") and len(w) > 3 else w


class Matcher:
    """Finds a query's words in a text, for ranking and highlighting (the same on every
    backend, because it is Python, not the database)."""

    def __init__(self, terms: Sequence[str]) -> None:
        self.stems = frozenset(normalise(t) for t in terms)
        prefixes = sorted({stem[:2] for stem in self.stems})
        # Whole words that start like a query stem: the only ones worth stemming.
        self._candidates = re.compile(
            r"(?<![^\W_])(?:" + "|".join(map(re.escape, prefixes)) + r")[^\W_]*",
            re.IGNORECASE,
        )

    def rank(self, point_id: uuid.UUID, text_: str) -> _Ranked:
        """Score one candidate: distinct query words found, then their occurrences."""
        matched: set[str] = set()
        hits = 0
        for word, count in Counter(self._candidates.findall(text_.lower())).items():
            stem = normalise(word)
            if stem in self.stems:
                matched.add(stem)
                hits += count
        return _Ranked(point_id, text_, matched=len(matched), hits=hits)

    def rank_all(self, candidates: Sequence[tuple[uuid.UUID, str]]) -> list[_Ranked]:
        """Every candidate scored, best first."""
        return sorted((self.rank(i, t) for i, t in candidates), key=lambda r: r.order)

    def spans(self, text_: str) -> list[tuple[int, int]]:
        """(start, end) of every word of ``text_`` that matches a query word."""
        return [
            m.span() for m in self._candidates.finditer(text_) if normalise(m.group()) in self.stems
        ]

    def snippet(self, text_: str, length: int = SNIPPET_LENGTH) -> str:
        """The text around its matches, HTML-escaped, each match in ``<mark>``.

        Texts longer than ``length`` are cut to the window holding the most matches (the
        first such window), shrunk to whole words, with an ellipsis where text was left out.
        """
        found = self.spans(text_)
        start, end = 0, len(text_)
        if len(text_) > length:
            lead = length // 5  # some context before the first match in the window
            best_count = 0
            for match_start, _ in found:
                window_start = max(0, match_start - lead)
                count = sum(1 for s, e in found if s >= window_start and e <= window_start + length)
                if count > best_count:
                    start, best_count = window_start, count
            end = min(len(text_), start + length)
            if start > 0 and not text_[start - 1].isspace():
                space = text_.find(" ", start, end)
                start = space + 1 if space != -1 else start
            if end < len(text_) and not text_[end].isspace():
                space = text_.rfind(" ", start, end)
                end = space if space > start else end
        parts: list[str] = ["…"] if start > 0 else []
        cursor = start
        for s, e in found:
            if s < start or e > end:
                continue
            parts.append(html.escape(text_[cursor:s]))
            parts.append(f"<mark>{html.escape(text_[s:e])}</mark>")
            cursor = e
        parts.append(html.escape(text_[cursor:end]))
        if end < len(text_):
            parts.append("…")
        return "".join(parts).strip()


def _score(item: _Ranked) -> float:
    return item.matched + item.hits / (item.hits + 1)


class KeyPointSearchRepository:
    """The two search statements: matching ids (scoped), then the page's rows."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def candidates(
        self,
        terms: Sequence[str],
        *,
        user_id: uuid.UUID,
        is_admin: bool,
        series_id: uuid.UUID | None,
        theme: str | None,
        cap: int,
    ) -> list[tuple[uuid.UUID, str]]:
        """Ids and texts of approved points matching every term, in series the user may see;
        the newest ``cap`` of them."""
        stmt = (
            select(KeyPoint.id, KeyPoint.text)
            .join(DialogueSession, DialogueSession.id == KeyPoint.dialogue_session_id)
            # Also true of every indexed row; repeated so a stale index can never leak a draft,
            # and (as a literal) so PostgreSQL sees the partial index's predicate.
            .where(KeyPoint.status == _APPROVED)
            .order_by(KeyPoint.id.desc())
            .limit(cap)
        )
        if self.session.get_bind().dialect.name == "sqlite":
            # Each term quoted: FTS5 reads it as a plain word, never as an operator, and
            # space-separated strings must all match.
            fts_query = " ".join(f'"{term}"' for term in terms)
            stmt = stmt.join(_FTS_TABLE, _FTS_TABLE.c.key_point_id == KeyPoint.id).where(
                text("key_point_search MATCH :fts_query").bindparams(fts_query=fts_query)
            )
        else:
            stmt = stmt.where(
                func.to_tsvector(_TS_CONFIG, KeyPoint.text).bool_op("@@")(
                    func.plainto_tsquery(_TS_CONFIG, " ".join(terms))
                )
            )
        series_column = DialogueSession.dialogue_series_id
        if not is_admin:
            stmt = stmt.where(
                series_column.in_(
                    select(SeriesMember.dialogue_series_id).where(
                        SeriesMember.app_user_id == user_id
                    )
                )
            )
        if series_id is not None:
            stmt = stmt.where(series_column == series_id)
        if theme is not None:
            stmt = stmt.where(_has_theme(theme))
        rows = (await self.session.execute(stmt)).all()
        return [(point_id, point_text) for point_id, point_text in rows]

    async def contexts(self, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, _HitContext]:
        """Session, series and theme slugs of these points (approved ones only)."""
        stmt = (
            select(
                KeyPoint.id,
                KeyPoint.agenda_part_id,
                DialogueSession.id,
                DialogueSession.number,
                DialogueSession.title,
                DialogueSeries.id,
                DialogueSeries.title,
                Theme.slug,
            )
            .join(DialogueSession, DialogueSession.id == KeyPoint.dialogue_session_id)
            .join(DialogueSeries, DialogueSeries.id == DialogueSession.dialogue_series_id)
            .outerjoin(KeyPointTheme, KeyPointTheme.key_point_id == KeyPoint.id)
            .outerjoin(Theme, Theme.id == KeyPointTheme.theme_id)
            .where(KeyPoint.id.in_(ids), KeyPoint.status == _APPROVED)
            .order_by(KeyPoint.id, Theme.position, Theme.slug)
        )
        out: dict[uuid.UUID, _HitContext] = {}
        for row in await self.session.execute(stmt):
            point_id, part_id, session_id, number, session_title, series_id, series_title, slug = (
                row
            )
            context = out.get(point_id)
            if context is None:
                context = out[point_id] = _HitContext(
                    part_id, session_id, number, session_title, series_id, series_title
                )
            if slug is not None:
                context.themes.append(slug)
        return out


def _has_theme(slug: str) -> ColumnElement[bool]:
    # The slug is looked up in the point's own series' taxonomy.
    return (
        select(KeyPointTheme.key_point_id)
        .join(Theme, Theme.id == KeyPointTheme.theme_id)
        .where(
            KeyPointTheme.key_point_id == KeyPoint.id,
            Theme.slug == slug,
            Theme.dialogue_series_id == DialogueSession.dialogue_series_id,
        )
        .exists()
    )


class KeyPointSearchService:
    """Searching the approved key points of the series a caller may see."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = KeyPointSearchRepository(session)

    async def search(
        self, principal: Principal, filters: SearchFilters, params: PageParams
    ) -> tuple[list[KeyPointHit], str | None]:
        """One page of approved points matching every word of ``filters.q``, best first.

        Only series the caller is a member of are searched (administrators: all); a
        ``series_id`` the caller cannot see is a 404. An unknown ``theme`` matches nothing.
        The cursor is the ranking key of the page's last point, so later pages continue
        after it even if points are approved in between.
        """
        terms = search_terms(filters.q)
        fingerprint = _fingerprint(terms, filters)
        after = _decode_after(params.cursor, fingerprint) if params.cursor else None
        candidates = await self.repo.candidates(
            terms,
            user_id=principal.user_id,
            is_admin=principal.is_admin,
            series_id=filters.series_id,
            theme=filters.theme,
            cap=CANDIDATE_CAP,
        )
        if not candidates and filters.series_id is not None:
            # A match proves the series visible; with none, ask, so that a stranger's
            # series answers 404 rather than an empty page. (Costs a statement only here.)
            await SeriesService(self.session).access(principal, filters.series_id)
        matcher = Matcher(terms)
        if sum(len(point_text) for _, point_text in candidates) > INLINE_RANK_CHARS:
            # Up to ~2 MB of text to scan (tens of ms): off the event loop.
            ranked = await asyncio.to_thread(matcher.rank_all, candidates)
        else:
            ranked = matcher.rank_all(candidates)
        if after is not None:
            ranked = [r for r in ranked if r.order > after]
        page, next_cursor = split_page(
            ranked, params, lambda r: (fingerprint, r.matched, r.hits, r.id)
        )
        if not page:
            return [], next_cursor
        contexts = await self.repo.contexts([r.id for r in page])
        hits = []
        for item in page:
            # Missing only if un-approved between the two statements: leave it out.
            context = contexts.get(item.id)
            if context is None:
                continue
            hits.append(
                KeyPointHit(
                    key_point_id=item.id,
                    session_id=context.session_id,
                    session_number=context.session_number,
                    session_title=context.session_title,
                    series_id=context.series_id,
                    series_title=context.series_title,
                    part_id=context.part_id,
                    text=item.text,
                    themes=context.themes,
                    snippet=matcher.snippet(item.text),
                    score=_score(item),
                )
            )
        return hits, next_cursor


def _fingerprint(terms: Sequence[str], filters: SearchFilters) -> str:
    # Binds a cursor to its search: reusing it for another query is refused, not misread.
    key = json.dumps([list(terms), str(filters.series_id or ""), filters.theme or ""])
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _decode_after(cursor: str, fingerprint: str) -> tuple[int, int, int]:
    found, matched, hits, point_id = decode_cursor(cursor, (str, int, int, uuid.UUID))
    if found != fingerprint:
        raise InvalidRequest.single(
            "cursor", "This cursor belongs to another search; start again without it", "query"
        )
    return (-matched, -hits, -point_id.int)
