"""Optional catalogue keys of issue 4: instant_approval (信用+秒批), commitment_verify_days
(告知承诺核查期限), remarked_licence (容缺 licence with remark)."""

from __future__ import annotations

from banshi.catalog.canonical import content_hash, dump_catalogue, to_dict
from banshi.catalog.parsing import read_catalogue_text

BASE = """
version: 1
departments:
  - {code: SCJG, name: 市场监督管理局}
materials:
  - {code: LEASE, name: 经营场所使用证明}
items:
  - code: IT-1
    name: 企业变更登记
    kind: 行政许可
    department: SCJG
    materials:
      - {material: LEASE, commitment_allowed: true, deficiency_allowed: true}
"""


def _item(extra: str = ""):
    catalogue, problems = read_catalogue_text(BASE + extra)
    return catalogue.items["IT-1"], problems


def test_items_without_the_keys_keep_their_defaults_and_their_hash():
    item, problems = _item()
    assert not problems
    assert (item.instant_approval, item.commitment_verify_days, item.remarked_licence) == (
        False,
        None,
        False,
    )
    assert not {"instant_approval", "commitment_verify_days", "remarked_licence"} & set(
        to_dict(item)
    )
    # the canonical form of an item that does not use the keys is what it was before them
    assert content_hash(item) == content_hash(_item()[0])


def test_the_keys_are_read_and_exported():
    item, problems = _item(
        "    instant_approval: true\n    commitment_verify_days: 15\n    remarked_licence: true\n"
    )
    assert not problems
    assert (item.instant_approval, item.commitment_verify_days, item.remarked_licence) == (
        True,
        15,
        True,
    )
    catalogue, _ = read_catalogue_text(
        BASE + "    instant_approval: true\n    commitment_verify_days: 15\n"
    )
    text = dump_catalogue(catalogue)
    assert "instant_approval: true" in text and "commitment_verify_days: 15" in text
    assert content_hash(item) != content_hash(_item()[0])


def test_bad_values_are_reported_in_both_languages():
    _, problems = _item("    instant_approval: yes please\n    commitment_verify_days: -3\n")
    messages = " ".join(str(p) for p in problems)
    assert "instant_approval 必须是 true/false" in messages
    assert "commitment_verify_days 必须是非负整数" in messages


def test_a_verification_period_needs_a_material_that_allows_a_commitment():
    text = BASE.replace(", commitment_allowed: true, deficiency_allowed: true", "")
    _, problems = read_catalogue_text(
        text + "    commitment_verify_days: 10\n    remarked_licence: true\n"
    )
    messages = " ".join(str(p) for p in problems)
    assert "没有允许告知承诺的材料" in messages
    assert "没有允许容缺的材料" in messages
