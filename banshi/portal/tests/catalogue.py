"""A small catalogue for the portal tests: one enterprise bundle with conditional items, one personal
bundle, one local featured bundle. Numbers are chosen so that tests can assert them by hand:

KBCYD without answers: 企业设立登记 (1 day) → 食品经营许可 (10 days) = 11 working days;
with shop.area = 500 the fire check (10 days, after registration) joins in parallel, still 11;
with need_seal = true the seal item (即办件) joins.
"""

PORTAL_CATALOGUE = """
version: 1
departments:
  - {code: SCJG, name: 市场监督管理局}
  - {code: XF, name: 消防救援支队}
  - {code: GA, name: 公安局}
  - {code: WJ, name: 卫生健康委员会}
  - {code: EMPTY, name: 档案馆}
data_elements:
  - {code: enterprise.name, label: 企业名称, type: text, prefill: enterprise.name}
  - {code: enterprise.uscc, label: 统一社会信用代码, type: uscc, prefill: enterprise.uscc}
  - {code: person.name, label: 法定代表人姓名, type: text, prefill: person.name}
  - {code: person.id_number, label: 身份证号码, type: id_number, prefill: person.id_number}
  - {code: shop.address, label: 经营场所地址, type: address}
  - {code: shop.area, label: 经营面积(平方米), type: number}
  - {code: baby.name, label: 新生儿姓名, type: text}
licence_types:
  - {code: YYZZ, name: 营业执照, department: SCJG}
  - {code: SP-JY, name: 食品经营许可证, department: SCJG}
materials:
  - {code: LEASE, name: 经营场所使用证明}
  - {code: YYZZ-COPY, name: 营业执照副本, licence_type: YYZZ}
  - {code: ID-CARD, name: 居民身份证, data_share: 人口信息库}
  - {code: FOOD-RULES, name: 食品安全管理制度}
  - {code: LAYOUT, name: 经营设施设备布局图}
  - {code: FIRE-PLAN, name: 消防安全方案}
  - {code: BIRTH-CERT, name: 出生医学证明, data_share: 卫生健康信息平台}
items:
  - code: SCJG-DJ-001
    name: 企业设立登记
    kind: 行政许可
    department: SCJG
    legal_days: 3
    promised_days: 1
    visits: 1
    steps: [申请, 受理, 审核, 发照]
    fields: [enterprise.name, person.name, person.id_number, shop.address]
    materials: [{material: LEASE}, {material: ID-CARD}]
    produces: YYZZ
    service_object: 法人
    legal_basis: 《中华人民共和国市场主体登记管理条例》第三条
    conditions: 名称已自主申报，住所真实有效
    handling_forms: [窗口办理, 网上办理]
  - code: SCJG-XK-001
    name: 食品经营许可
    kind: 行政许可
    department: SCJG
    legal_days: 20
    promised_days: 10
    visits: 2
    steps: [申请, 受理, 审查, 决定, 送达]
    fields: [enterprise.name, enterprise.uscc, shop.address, shop.area]
    materials:
      - {material: YYZZ-COPY}
      - {material: LEASE, copies: 复印件1份}
      - {material: FOOD-RULES, deficiency_allowed: true}
      - {material: LAYOUT, commitment_allowed: true}
      - {material: FIRE-PLAN, when: "shop.area > 300"}
    produces: SP-JY
    service_object: 法人
    legal_basis: 《中华人民共和国食品安全法》第三十五条
    conditions: 具有与经营的食品品种、数量相适应的经营场所
    special_procedures: [现场核查]
    fee: ""
    description: 从事食品销售和餐饮服务，应当依法取得食品经营许可。
  - code: XF-JC-001
    name: 公众聚集场所投入使用、营业前消防安全检查
    kind: 行政许可
    department: XF
    legal_days: 10
    promised_days: 10
    visits: 1
    steps: [申请, 受理, 检查, 决定]
    fields: [enterprise.name, shop.address, shop.area]
    materials: [{material: YYZZ-COPY}, {material: FIRE-PLAN}]
    service_object: 法人
  - code: GA-YZ-001
    name: 公章刻制备案
    kind: 公共服务
    department: GA
    legal_days: 1
    promised_days: 0
    visits: 1
    steps: [申请, 备案]
    fields: [enterprise.name, enterprise.uscc]
    materials: [{material: YYZZ-COPY}]
    fee: 按刻章企业标准收费
  - code: GA-HJ-001
    name: 出生登记
    kind: 行政确认
    department: GA
    legal_days: 5
    promised_days: 1
    visits: 1
    steps: [申请, 受理, 登记]
    fields: [baby.name, person.name, person.id_number]
    materials: [{material: BIRTH-CERT}, {material: ID-CARD}]
    service_object: 自然人
  - code: WJ-YF-001
    name: 预防接种证办理
    kind: 公共服务
    department: WJ
    legal_days: 1
    promised_days: 0
    steps: [申请, 办结]
    fields: [baby.name]
    materials: [{material: BIRTH-CERT}]
bundles:
  - code: KBCYD
    name: 开办餐饮店一件事
    department: SCJG
    description: 将企业登记、食品经营许可、消防检查等事项整合为一件事办理。
    audience: 法人
    life_event: 准入准营
    batch: "2024-1"
    questions:
      - {code: shop.area, text: 经营面积是多少平方米?, type: number}
      - {code: need_seal, text: 是否需要刻制公章?, type: bool}
      - {code: shop.kind, text: 经营类型, type: enum, options: [餐馆, 饮品店]}
      - {code: open_date, text: 计划开业日期, type: date}
    items:
      - {item: SCJG-DJ-001}
      - {item: SCJG-XK-001, after: [SCJG-DJ-001]}
      - {item: XF-JC-001, when: "shop.area > 300", after: [SCJG-DJ-001]}
      - {item: GA-YZ-001, when: "need_seal == true", after: [SCJG-DJ-001]}
    steps: [申请, 受理, 办结]
    visits: 0
  - code: XSECS
    name: 新生儿出生一件事
    department: WJ
    audience: 个人
    life_event: 出生
    batch: "2024-1"
    items:
      - {item: GA-HJ-001}
      - {item: WJ-YF-001}
    steps: [申请, 办结]
    visits: 0
  - code: KBYD
    name: 开办药店一件事
    department: SCJG
    audience: 法人
    life_event: 准入准营
    batch: local
    items:
      - {item: SCJG-DJ-001}
    steps: [申请, 办结]
"""
