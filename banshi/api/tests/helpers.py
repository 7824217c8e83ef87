"""Short-cuts for the API tests: a draft of KBCYD that the pre-review lets through."""

from __future__ import annotations

ANSWERS = {"shop.area": 100, "need_seal": False}  # -> SCJG-DJ-001 and SCJG-XK-001
FORM = {"enterprise.name": "某某餐饮有限公司", "shop.address": "郑州市航空港区某路1号"}


def draft_body(api, **overrides) -> dict:
    file_id = api.upload().json()["id"]
    body = {
        "bundle_code": "KBCYD",
        "answers": ANSWERS,
        "form_data": FORM,
        "materials": {"LEASE": {"files": [file_id]}, "FOOD-RULES": {"files": [file_id]}},
    }
    body.update(overrides)
    return body


def ready_draft(api, **overrides) -> str:
    response = api.post("/applications", draft_body(api, **overrides))
    assert response.status_code == 201, response.json()
    assert response.json()["draft_detail"]["can_submit"], response.json()["draft_detail"]
    return response.json()["number"]


def submitted(api, **overrides) -> dict:
    response = api.submit(ready_draft(api, **overrides))
    assert response.status_code == 201, response.json()
    return response.json()
