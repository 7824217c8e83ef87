"""Full-text search over the current service items and bundles (事项/一件事检索).

Chinese has no spaces, so neither SQLite FTS5 nor PostgreSQL can find words in it on their own. We
segment with jieba (reference/libraries.md §7) in Python, store the words space-separated in
``SearchDocument.search_text`` (and the title's words in ``title_text``), and let the database do the
rest: an FTS5 table on SQLite, a GIN index on ``to_tsvector('simple', search_text)`` on PostgreSQL.
Both engines see exactly the same words, so both return the same hits (the tests run on both).

Documents are segmented with ``jieba.cut_for_search`` (every sub-word too: 餐饮店 → 餐饮, 餐饮店), the
query with ``jieba.cut`` (the longest words), and all query words must match (AND). Hits whose title
holds every query word come first; within that, the engine's rank decides (bm25 with a title weight on
SQLite, ts_rank with the title weighted 'A' on PostgreSQL), then kind and code, so the order is stable.

The query never reaches either engine's query syntax as text: words are reduced to letters and digits
(``"`` ``*`` ``AND (`` become nothing or plain words) and each is quoted, so no input can fail.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction

from banshi.catalog import models, schema

MAX_QUERY_CHARS = 100  # longer queries are cut: nobody types more, and it bounds the work
MAX_TERMS = 12
MAX_TOKEN_CHARS = 60  # PostgreSQL ignores words over 2047 bytes; keep well under on both engines
MAX_LIMIT = 100
FRESHNESS_SECONDS = 30  # how often a process checks that the index still matches the catalogue
_ADVISORY_LOCK = 0x62616E736869  # "banshi": serialises rebuilds across PostgreSQL connections
TITLE_WEIGHT = 10.0  # bm25 column weight of the title against 1.0 for the whole text

FTS_TABLE = "catalog_searchdocument_fts"

# Government terms jieba's general dictionary splits apart (or never joins), so that the query
# 食品经营许可 stays one word and matches as a word.
USER_WORDS = (
    "一件事",
    "一类事",
    "高效办成一件事",
    "告知承诺",
    "容缺",
    "容缺受理",
    "免证",
    "免提交",
    "即办件",
    "承诺件",
    "营业执照",
    "食品经营许可",
    "专精特新",
    "一网通办",
    "跨省通办",
    "免申即享",
    "好差评",
    "电子证照",
    "数据共享",
    "社会保障卡",
    "不动产登记",
    "公积金",
    "住房公积金",
    "新生儿",
    "出生医学证明",
    "消防安全检查",
    "施工许可",
    "工程建设",
)

# Words a question adds that no guide needs to contain ("怎么办理营业执照" → 营业执照).
QUERY_STOPWORDS = frozenset(
    {
        "的",
        "了",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "吗",
        "呢",
        "啊",
        "我",
        "我要",
        "想",
        "要",
        "怎么",
        "怎么办",
        "怎样",
        "如何",
        "哪里",
        "什么",
        "办理",
    }
)

_WORD = re.compile(r"[^\W_]+")  # letters and digits of any script; what FTS5's unicode61 keeps
_jieba_lock = threading.Lock()
_jieba_ready = False

logger = logging.getLogger(__name__)


def _jieba():
    """jieba, initialised once per process, quietly (it logs to stderr by default), with our words."""
    global _jieba_ready
    import jieba

    if _jieba_ready:
        return jieba
    with _jieba_lock:
        if not _jieba_ready:
            jieba.setLogLevel(logging.WARNING)
            jieba.initialize()
            for word in USER_WORDS:
                jieba.add_word(word)
            _jieba_ready = True
    return jieba


def _words(tokens: Iterable[str]) -> list[str]:
    """Tokens reduced to runs of letters/digits, lower-cased: punctuation, spaces and operators
    vanish, so a word can never carry query syntax, and both engines split them the same way."""
    words: list[str] = []
    for token in tokens:
        for word in _WORD.findall(token):
            words.append(word.lower()[:MAX_TOKEN_CHARS])
    return words


def segment_document(*texts: str | None) -> str:
    """Index words of a document: every word and sub-word jieba finds, space-separated."""
    jieba = _jieba()
    words: list[str] = []
    for text in texts:
        if text:
            words.extend(_words(jieba.cut_for_search(text)))
    return " ".join(words)


def query_terms(query: str | None) -> list[str]:
    """The words of a query: truncated, segmented with ``jieba.cut``, without stop words and
    duplicates, at most ``MAX_TERMS``. Empty for blank or punctuation-only input."""
    text = (query or "")[:MAX_QUERY_CHARS].strip()
    if not text:
        return []
    terms = [
        word for word in _words(_jieba().cut(text)) if word not in QUERY_STOPWORDS and word.strip()
    ]
    return list(dict.fromkeys(terms))[:MAX_TERMS]


@dataclass(frozen=True)
class Hit:
    """One search result: an item (事项) or a bundle (一件事)."""

    kind: str  # "item" | "bundle"
    code: str
    title: str
    department: str  # department code
    department_name: str
    audience: str
    life_event: str
    in_title: bool  # every query word is in the title
    score: float  # the engine's rank (bm25: lower is better; ts_rank: higher is better)
    terms: tuple[str, ...] = ()
    snippet: str = ""  # the part of the body around the first query word, if any

    @property
    def title_parts(self) -> list[tuple[str, bool]]:
        """The title cut into (text, matched) runs, for highlighting without building HTML here."""
        return highlight(self.title, self.terms)

    @property
    def snippet_parts(self) -> list[tuple[str, bool]]:
        """The snippet as (text, matched) runs: shows why a hit whose title lacks a word matched."""
        return highlight(self.snippet, self.terms)


SNIPPET_CHARS = 60


def snippet(body: str, terms: Sequence[str], width: int = SNIPPET_CHARS) -> str:
    """About ``width`` characters of ``body`` around the first occurrence of any term, on one line,
    with … where it was cut; empty when no term occurs."""
    text = " ".join((body or "").split())
    lowered = text.lower()
    found = [index for index in (lowered.find(term) for term in terms if term) if index >= 0]
    if not found:
        return ""
    start = max(0, min(found) - width // 3)
    end = min(len(text), start + width)
    start = max(0, end - width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def highlight(text: str, terms: Sequence[str]) -> list[tuple[str, bool]]:
    """``text`` as consecutive (piece, matched) runs where any term occurs (case-insensitive);
    overlapping and adjacent matches merge. Joining the pieces gives ``text`` back."""
    if not text:
        return []
    lowered = text.lower()
    marked = [False] * len(text)
    for term in terms:
        if not term:
            continue
        start = lowered.find(term)
        while start != -1:
            for index in range(start, start + len(term)):
                marked[index] = True
            start = lowered.find(term, start + 1)
    runs: list[tuple[str, bool]] = []
    for char, flag in zip(text, marked, strict=True):
        if runs and runs[-1][1] == flag:
            runs[-1] = (runs[-1][0] + char, flag)
        else:
            runs.append((char, flag))
    return runs


# ---------------------------------------------------------------------------------------------
# Index
# ---------------------------------------------------------------------------------------------


def documents_for(catalogue: schema.Catalogue) -> list[models.SearchDocument]:
    """One unsaved document per item and bundle of ``catalogue``: what a guide is found by."""
    departments = catalogue.departments
    documents: list[models.SearchDocument] = []

    def department_name(code: str) -> str:
        department = departments.get(code)
        return department.name if department else code

    for item in catalogue.items.values():
        body_parts = [
            item.description,
            item.kind,
            item.service_object,
            item.conditions,
            item.result,
            *(
                catalogue.materials[r.material].name
                for r in item.materials
                if r.material in catalogue.materials
            ),
        ]
        body = "\n".join(part for part in body_parts if part)
        dept = department_name(item.department)
        documents.append(
            models.SearchDocument(
                kind=models.SearchDocument.Kind.ITEM,
                code=item.code,
                title=item.name,
                body=body,
                department=item.department,
                department_name=dept,
                audience=item.service_object or "",
                life_event="",
                title_text=segment_document(item.name),
                search_text=segment_document(item.name, body, dept, item.code),
            )
        )
    for bundle in catalogue.bundles.values():
        item_names = [
            catalogue.items[entry.item].name
            for entry in bundle.items
            if entry.item in catalogue.items
        ]
        body_parts = [bundle.description, bundle.audience, bundle.life_event, *item_names]
        body = "\n".join(part for part in body_parts if part)
        dept = department_name(bundle.department)
        documents.append(
            models.SearchDocument(
                kind=models.SearchDocument.Kind.BUNDLE,
                code=bundle.code,
                title=bundle.name,
                body=body,
                department=bundle.department,
                department_name=dept,
                audience=bundle.audience or "",
                life_event=bundle.life_event or "",
                title_text=segment_document(bundle.name),
                search_text=segment_document(bundle.name, body, dept, bundle.code),
            )
        )
    return documents


def catalogue_fingerprint(day=None) -> str:
    """A digest of everything the index is built from, as valid on ``day`` (default today): the
    current item and bundle versions (by content hash), department and material names.

    Cheap (four small queries), so search can notice a change made without a reload — a version
    published in the admin, or one whose ``valid_from`` has just arrived — and rebuild.
    """
    from banshi.catalog.selectors import valid_on
    from banshi.core import clock

    day = day or clock.today()
    digest = hashlib.sha256()
    queries = (
        models.ServiceItemVersion.objects.filter(valid_on(day))
        .order_by("item__code", "-number")
        .values_list("item__code", "number", "content_hash"),
        models.BundleVersion.objects.filter(valid_on(day))
        .order_by("bundle__code", "-number")
        .values_list("bundle__code", "number", "content_hash"),
        models.Department.objects.order_by("code").values_list("code", "name"),
        models.Material.objects.order_by("code").values_list("code", "name"),
    )
    for query in queries:
        for row in query:
            digest.update("\x1f".join(str(value) for value in row).encode())
            digest.update(b"\x1e")
        digest.update(b"\x1d")
    return digest.hexdigest()


def rebuild_index(catalogue: schema.Catalogue | None = None) -> int:
    """Replace the index with the catalogue valid today (one transaction); returns the count.

    The loader calls this after every catalogue change commits, and :func:`search` calls it when the
    catalogue's fingerprint no longer matches the index. The FTS5 table is an external-content table
    over ``SearchDocument`` and is rebuilt explicitly here rather than kept by triggers: Django
    re-creates a SQLite table when a later migration alters it, which would silently drop triggers.
    On PostgreSQL an advisory lock makes concurrent rebuilds (several app processes) take turns.
    """
    from banshi.catalog.selectors import build_catalogue
    from banshi.core import clock

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK])
        fingerprint = catalogue_fingerprint()
        if catalogue is None:
            catalogue = build_catalogue(clock.today())
        documents = documents_for(catalogue)
        for document in documents:
            document.fingerprint = fingerprint
        models.SearchDocument.objects.all().delete()
        models.SearchDocument.objects.bulk_create(documents, batch_size=500)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    _checked[0] = time.monotonic()
    return len(documents)


_checked = [float("-inf")]  # when this process last compared the index with the catalogue


def refresh_if_stale() -> bool:
    """Rebuild when the index is empty while the catalogue is not, or (at most every
    ``FRESHNESS_SECONDS`` per process) when the catalogue's fingerprint has changed. Returns
    whether it rebuilt. Never raises for a concurrent rebuild: it waits for it (lock) instead."""
    indexed = models.SearchDocument.objects.values_list("fingerprint", flat=True).first()
    if indexed is None:
        has_catalogue = (
            models.ServiceItemVersion.objects.filter(status=models.VersionStatus.PUBLISHED).exists()
            or models.BundleVersion.objects.filter(status=models.VersionStatus.PUBLISHED).exists()
        )
        if has_catalogue:
            rebuild_index()
            return True
        return False
    now = time.monotonic()
    if now - _checked[0] < FRESHNESS_SECONDS:
        return False
    _checked[0] = now
    if indexed != catalogue_fingerprint():
        rebuild_index()
        return True
    return False


# ---------------------------------------------------------------------------------------------
# Query
# ---------------------------------------------------------------------------------------------

_COLUMNS = (
    "d.kind, d.code, d.title, d.department, d.department_name, d.audience, d.life_event, d.body"
)
_DOC_TABLE = "catalog_searchdocument"


def search(query: str | None, limit: int = 20) -> list[Hit]:
    """Items and bundles matching every word of ``query``, title matches first.

    Empty, blank, punctuation-only or stop-word-only queries give no hits (never an error).
    """
    terms = query_terms(query)
    limit = max(1, min(int(limit), MAX_LIMIT))
    if not terms:
        return []
    refresh_if_stale()
    if connection.vendor == "postgresql":
        rows = _search_postgresql(terms, limit)
    else:
        rows = _search_sqlite(terms, limit)
    return [
        Hit(
            kind=row[0],
            code=row[1],
            title=row[2],
            department=row[3],
            department_name=row[4],
            audience=row[5],
            life_event=row[6],
            in_title=bool(row[8]),
            score=float(row[9]),
            terms=tuple(terms),
            snippet=snippet(row[7], terms),
        )
        for row in rows
    ]


def _fts5_string(term: str) -> str:
    """A term as an FTS5 string literal (double quotes doubled; terms hold none, but be safe)."""
    return '"' + term.replace('"', '""') + '"'


def _search_sqlite(terms: Sequence[str], limit: int) -> list[tuple]:
    match = " AND ".join(_fts5_string(term) for term in terms)
    title_match = " AND ".join(f"title_text : {_fts5_string(term)}" for term in terms)
    sql = (
        f"SELECT {_COLUMNS},"
        f" d.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s) AS in_title,"
        f" bm25({FTS_TABLE}, {TITLE_WEIGHT}, 1.0) AS score"
        f" FROM {FTS_TABLE} JOIN {_DOC_TABLE} d ON d.id = {FTS_TABLE}.rowid"
        f" WHERE {FTS_TABLE} MATCH %s"
        " ORDER BY in_title DESC, score ASC, d.kind, d.code LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [title_match, match, limit])
        return cursor.fetchall()


def _search_postgresql(terms: Sequence[str], limit: int) -> list[tuple]:
    # plainto_tsquery ANDs the words and ignores any operator characters; the expression in WHERE
    # is exactly the indexed one, so the GIN index answers it.
    sql = (
        f"SELECT {_COLUMNS},"
        " to_tsvector('simple', d.title_text) @@ q AS in_title,"
        " ts_rank(setweight(to_tsvector('simple', d.title_text), 'A')"
        " || setweight(to_tsvector('simple', d.search_text), 'D'), q) AS score"
        f" FROM {_DOC_TABLE} d, plainto_tsquery('simple', %s) q"
        " WHERE to_tsvector('simple', d.search_text) @@ q"
        " ORDER BY in_title DESC, score DESC, d.kind, d.code LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [" ".join(terms), limit])
        return cursor.fetchall()
