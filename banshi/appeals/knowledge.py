"""知识库 (GB/T 33358; standards §4.8): answers for consultations, from the maintained FAQ and the
service guides of the catalogue (:func:`banshi.catalog.search.search`).

The query is cut into words the same way the portal search does (jieba, stop words dropped), so
"营业执照怎么补办" finds the FAQ entry with the keyword 补办 and the guide of 营业执照 items. FAQ
entries are scored in SQL-fetched batches of at most :data:`MAX_CANDIDATES` rows (every word must
appear somewhere; more words in the question rank higher).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.urls import NoReverseMatch, reverse

from banshi.appeals.models import KnowledgeEntry
from banshi.catalog import search as catalog_search

MAX_CANDIDATES = 200


@dataclass(frozen=True)
class Answer:
    kind: str  # "faq" | "guide"
    title: str
    text: str
    source: str = ""
    entry_id: int | None = None
    url: str = ""
    score: float = 0.0


def search(query: str | None, *, category_id: int | None = None, limit: int = 8) -> list[Answer]:
    """FAQ entries first (by score), then matching service guides; empty for an empty query."""
    terms = catalog_search.query_terms(query)
    if not terms:
        return []
    return (_faq(terms, category_id, limit) + _guides(query or "", limit))[:limit]


def _faq(terms: list[str], category_id: int | None, limit: int) -> list[Answer]:
    condition = Q()
    for term in terms:
        condition |= (
            Q(question__icontains=term) | Q(keywords__icontains=term) | Q(answer__icontains=term)
        )
    rows = list(
        KnowledgeEntry.objects.filter(is_active=True)
        .filter(condition)
        .only("pk", "question", "answer", "keywords", "source", "category_id")[:MAX_CANDIDATES]
    )
    scored = []
    for row in rows:
        question, keywords, answer = row.question.lower(), row.keywords.lower(), row.answer.lower()
        score = sum(
            3 * (term in question) + 2 * (term in keywords) + (term in answer) for term in terms
        )
        if category_id and row.category_id == category_id:
            score += 1
        scored.append((score, row))
    scored.sort(key=lambda pair: (-pair[0], pair[1].question))
    return [
        Answer(
            "faq",
            row.question,
            row.answer,
            row.source or "12345 知识库",
            entry_id=row.pk,
            score=float(score),
        )
        for score, row in scored[:limit]
    ]


def _guides(query: str, limit: int) -> list[Answer]:
    answers = []
    for hit in catalog_search.search(query, limit=limit):
        try:
            url = reverse(f"portal:{'bundle' if hit.kind == 'bundle' else 'item'}", args=[hit.code])
        except NoReverseMatch:  # pragma: no cover - the portal is always installed
            url = ""
        kind = "一件事" if hit.kind == "bundle" else "事项"
        answers.append(
            Answer(
                "guide",
                hit.title,
                f"{hit.title}由{hit.department_name}办理。办理条件、材料、时限和流程请查看办事指南"
                f"（{kind}编码 {hit.code}），可在网上申请。",
                f"办事指南 · {hit.department_name}",
                url=url,
                score=hit.score,
            )
        )
    return answers
