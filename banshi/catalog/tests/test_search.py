"""Full-text search over items and bundles: jieba words, FTS5 on SQLite, tsvector on PostgreSQL.

The suite runs on both engines (CI sets DATABASE_URL the second time); every assertion on hits is
written as an exact list so that both engines must return the same hits in the same order.
"""

from __future__ import annotations

import pytest
from django.db import connection

from banshi.catalog import models, search
from banshi.catalog.parsing import read_catalogue_text
from banshi.catalog.selectors import invalidate_snapshot
from banshi.catalog.services import apply_catalogue

pytestmark = pytest.mark.django_db

CATALOGUE = """
version: 1
departments:
  - {code: SCJG, name: 市场监督管理局}
  - {code: XF, name: 消防救援支队}
  - {code: GA, name: 公安局}
materials:
  - {code: LEASE, name: 经营场所使用证明}
  - {code: YYZZ-COPY, name: 营业执照}
items:
  - code: SCJG-DJ-001
    name: 企业设立登记
    kind: 行政许可
    department: SCJG
    materials: [LEASE]
    description: 申请人领取营业执照前办理企业设立登记。
  - code: SCJG-XK-001
    name: 食品经营许可
    kind: 行政许可
    department: SCJG
    materials: [YYZZ-COPY, LEASE]
    description: 从事食品销售和餐饮服务，应当依法取得许可。
  - code: XF-JC-001
    name: 公众聚集场所投入使用、营业前消防安全检查
    kind: 行政许可
    department: XF
  - code: GA-YZ-001
    name: 公章刻制备案
    kind: 公共服务
    department: GA
    materials: [YYZZ-COPY]
bundles:
  - code: KBCYD
    name: 开办餐饮店一件事
    department: SCJG
    audience: 法人
    life_event: 准入准营
    items: [SCJG-DJ-001, SCJG-XK-001, XF-JC-001]
  - code: QYZX
    name: 企业注销一件事
    department: SCJG
    audience: 法人
    items: [GA-YZ-001]
"""


def load(text: str = CATALOGUE) -> None:
    parsed, problems = read_catalogue_text(text)
    assert not problems, problems
    apply_catalogue(parsed)
    invalidate_snapshot()
    search.rebuild_index()


@pytest.fixture
def catalogue():
    invalidate_snapshot()
    load()
    yield
    invalidate_snapshot()


def codes(query: str, limit: int = 20) -> list[str]:
    return [hit.code for hit in search.search(query, limit=limit)]


# --- segmentation (pure) -----------------------------------------------------------------------


def test_documents_keep_every_sub_word():
    words = search.segment_document("开办餐饮店一件事").split()
    assert {"开办", "餐饮", "餐饮店", "一件事"} <= set(words)


def test_the_user_dictionary_keeps_government_terms_whole():
    assert search.query_terms("食品经营许可") == ["食品经营许可"]
    assert search.query_terms("告知承诺 容缺") == ["告知承诺", "容缺"]
    assert "专精特新" in search.query_terms("专精特新企业认定")


def test_query_words_lose_punctuation_operators_and_stop_words():
    assert search.query_terms('怎么办理"营业执照"？') == ["营业执照"]
    assert search.query_terms("AND ( * )") == ["and"]
    assert search.query_terms("") == [] and search.query_terms("  　") == []
    assert search.query_terms("！？。，、*\"'") == []


def test_a_long_query_is_cut_before_segmenting():
    assert search.query_terms("餐饮" + " " * 200 + "火星") == ["餐饮"]


def test_highlight_marks_every_occurrence_and_gives_the_text_back():
    runs = search.highlight("开办餐饮店餐饮", ["餐饮"])
    assert runs == [("开办", False), ("餐饮", True), ("店", False), ("餐饮", True)]
    assert "".join(piece for piece, _ in search.highlight("ABC abc", ["abc"])) == "ABC abc"
    assert search.highlight("ABC", ["abc"]) == [("ABC", True)]


def test_snippet_shows_the_body_around_the_first_word():
    body = "甲" * 100 + "餐饮服务" + "乙" * 100
    excerpt = search.snippet(body, ["餐饮"], width=30)
    assert excerpt.startswith("…") and excerpt.endswith("…")
    assert "餐饮服务" in excerpt and len(excerpt) == 32
    assert search.snippet("没有这个词", ["餐饮"]) == ""
    assert search.snippet("餐饮", ["餐饮"]) == "餐饮"


# --- index -------------------------------------------------------------------------------------


def test_the_engine_index_exists():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE name = 'catalog_searchdocument_fts'"
            )
        else:
            cursor.execute(
                "SELECT indexname FROM pg_indexes"
                " WHERE indexname = 'catalog_searchdocument_search_gin'"
            )
        assert cursor.fetchone() is not None


def test_rebuild_indexes_every_current_item_and_bundle(catalogue):
    assert search.rebuild_index() == 6
    assert models.SearchDocument.objects.filter(kind="item").count() == 4
    assert models.SearchDocument.objects.filter(kind="bundle").count() == 2


def test_rebuilding_twice_gives_the_same_hits(catalogue):
    before = codes("营业执照")
    search.rebuild_index()
    assert codes("营业执照") == before


def test_the_loader_rebuilds_the_index_after_a_change(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        apply_catalogue(read_catalogue_text(CATALOGUE)[0])
    assert codes("刻制") == ["GA-YZ-001", "QYZX"]  # the bundle lists the item by name
    renamed = CATALOGUE.replace("name: 公章刻制备案", "name: 印章刻制备案")
    invalidate_snapshot()
    with django_capture_on_commit_callbacks(execute=True):
        apply_catalogue(read_catalogue_text(renamed)[0])
    assert codes("公章") == []
    assert codes("印章") == ["GA-YZ-001", "QYZX"]


def test_an_empty_index_is_built_on_first_search():
    parsed, _ = read_catalogue_text(CATALOGUE)
    apply_catalogue(parsed)  # on_commit never runs inside the test transaction
    invalidate_snapshot()
    assert not models.SearchDocument.objects.exists()
    assert codes("餐饮") == ["KBCYD", "SCJG-XK-001"]


def test_a_version_published_outside_the_loader_is_found_after_the_freshness_check(
    catalogue, monkeypatch
):
    from banshi.catalog.selectors import current_item_version
    from banshi.catalog.services import copy_to_draft, publish
    from banshi.core import clock

    monkeypatch.setattr(search, "FRESHNESS_SECONDS", 0)
    assert search.refresh_if_stale() is False  # nothing changed since the fixture's rebuild
    item = models.ServiceItem.objects.get(code="GA-YZ-001")
    draft = copy_to_draft(current_item_version(item))
    draft.name = "印章刻制备案"
    draft.save()
    publish(draft, valid_from=clock.today())  # the admin's path: no rebuild_index() call
    assert codes("印章") == ["GA-YZ-001", "QYZX"]
    assert codes("公章") == []


def test_the_freshness_check_runs_at_most_every_few_seconds(catalogue, monkeypatch):
    calls = []
    monkeypatch.setattr(search, "catalogue_fingerprint", lambda: calls.append(1) or "changed")
    monkeypatch.setattr(search, "FRESHNESS_SECONDS", 3600)
    search._checked[0] = float("-inf")
    monkeypatch.setattr(search, "rebuild_index", lambda: 0)
    search.search("餐饮")
    search.search("餐饮")
    assert calls == [1]


def test_every_document_records_the_catalogue_it_came_from(catalogue):
    fingerprints = set(models.SearchDocument.objects.values_list("fingerprint", flat=True))
    assert fingerprints == {search.catalogue_fingerprint()}


# --- query -------------------------------------------------------------------------------------


def test_title_matches_rank_above_body_matches(catalogue):
    # 餐饮 is in the bundle's title and only in the body (description) of the permit.
    assert codes("餐饮") == ["KBCYD", "SCJG-XK-001"]
    hits = search.search("餐饮")
    assert [hit.in_title for hit in hits] == [True, False]


def test_an_item_title_beats_the_bundle_that_lists_it(catalogue):
    assert codes("食品经营许可") == ["SCJG-XK-001", "KBCYD"]


def test_every_query_word_must_match(catalogue):
    assert codes("餐饮 消防") == ["KBCYD"]
    assert codes("餐饮 户口") == []


def test_department_names_and_codes_are_searchable(catalogue):
    assert codes("消防救援支队") == ["XF-JC-001"]
    assert codes("SCJG-XK-001") == ["SCJG-XK-001"]


def test_materials_are_searchable(catalogue):
    assert codes("经营场所使用证明") == ["SCJG-DJ-001", "SCJG-XK-001"]


def test_hits_carry_what_a_result_list_shows(catalogue):
    hit = search.search("餐饮店")[0]
    assert (hit.kind, hit.code, hit.title) == ("bundle", "KBCYD", "开办餐饮店一件事")
    assert (hit.department, hit.department_name) == ("SCJG", "市场监督管理局")
    assert (hit.audience, hit.life_event) == ("法人", "准入准营")
    assert hit.title_parts == [("开办", False), ("餐饮店", True), ("一件事", False)]
    permit = search.search("餐饮")[1]
    assert ("餐饮", True) in permit.snippet_parts


def test_limit_caps_the_hits(catalogue):
    assert len(search.search("市场监督管理局", limit=2)) == 2
    assert len(search.search("市场监督管理局", limit=0)) == 1  # at least one, never an error


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "\t\n",
        "！？。",
        '"',
        '""',
        "*",
        "AND (",
        "OR",
        "NOT",
        "NEAR(餐饮 消防)",
        "餐饮*",
        "title_text : 餐饮",
        "{title_text}: x",
        "'; DROP TABLE catalog_searchdocument; --",
        "\x00餐饮",
        "𠀀𠀁",
        "x" * 10_000,
        "餐饮" * 500,
    ],
)
def test_odd_queries_never_fail(catalogue, query):
    hits = search.search(query)
    assert isinstance(hits, list)
    assert models.SearchDocument.objects.count() == 6


def test_fts_syntax_is_searched_as_words(catalogue):
    assert codes('"餐饮" AND (') == []  # the word "and" is required too, and no title has it
    assert codes("餐饮*") == ["KBCYD", "SCJG-XK-001"]
    assert codes("NEAR(餐饮 消防)") == []  # "near" is a plain word here


def test_blank_queries_give_no_hits(catalogue):
    assert search.search("") == [] and search.search("  ") == [] and search.search(None) == []
