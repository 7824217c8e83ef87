"""A small catalogue in the DESIGN §4 format, shared by the catalogue tests."""

GOOD = """
version: 1
departments:
  - {code: SCJG, name: 市场监督管理局}
data_elements:
  - {code: enterprise.name, label: 企业名称, type: text, prefill: enterprise.name}
  - {code: shop.area, label: 经营面积, type: number}
licence_types:
  - {code: YYZZ, name: 营业执照, department: SCJG}
materials:
  - {code: LEASE, name: 经营场所使用证明}
  - {code: YYZZ-COPY, name: 营业执照, licence_type: YYZZ}
items:
  - code: SCJG-DJ-001
    name: 企业设立登记
    kind: 行政许可
    department: SCJG
    legal_days: 3
    promised_days: 1
    fields: [enterprise.name]
    materials: [{material: LEASE}]
    produces: YYZZ
  - code: SCJG-XK-001
    name: 食品经营许可
    kind: 行政许可
    department: SCJG
    legal_days: 20
    promised_days: 10
    fields: [enterprise.name, shop.area]
    materials:
      - {material: YYZZ-COPY}
      - {material: LEASE, when: "shop.area > 300", deficiency_allowed: true}
bundles:
  - code: KBCYD
    name: 开办餐饮店一件事
    department: SCJG
    questions:
      - {code: shop.area, text: 经营面积是多少平方米?, type: number}
    items:
      - {item: SCJG-DJ-001}
      - {item: SCJG-XK-001, after: [SCJG-DJ-001]}
    steps: [申请, 受理, 办结]
"""
