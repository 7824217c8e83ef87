"""Forms of the staff pages: a policy version's content (conditions one per line) and a data file."""

from __future__ import annotations

from django import forms

from banshi.policies.attributes import SourceKind, SubjectKind
from banshi.policies.models import BenefitKind, PolicyMode

DATE = forms.DateInput(attrs={"type": "date"})


class PolicyForm(forms.Form):
    code = forms.CharField(label="政策编码", max_length=64, required=False)
    subject_kind = forms.ChoiceField(
        label="政策对象",
        choices=SubjectKind.CHOICES,
        required=False,
        help_text="企业政策的条件只能用企业属性，个人政策只能用个人属性；创建后不能更改",
    )
    department = forms.ChoiceField(label="发布部门", required=False)
    title = forms.CharField(label="政策名称", max_length=200)
    summary = forms.CharField(
        label="政策内容", widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    legal_title = forms.CharField(label="政策文件(名称、文号)", max_length=300, required=False)
    legal_url = forms.CharField(label="政策原文链接", max_length=500, required=False)
    valid_from = forms.DateField(label="生效日期", required=False, widget=DATE)
    valid_until = forms.DateField(label="有效期至(含)", required=False, widget=DATE)
    mode = forms.ChoiceField(label="兑现方式", choices=PolicyMode.choices)
    service_item = forms.CharField(label="申报事项编码(申报类)", max_length=64, required=False)
    benefit_kind = forms.ChoiceField(label="扶持方式", choices=BenefitKind.choices)
    benefit_amount = forms.DecimalField(
        label="扶持金额(元)", required=False, min_value=0, decimal_places=2
    )
    benefit_expression = forms.CharField(
        label="金额计算式(元)",
        max_length=500,
        required=False,
        help_text="如 enterprise.insured_employees * 1000",
    )
    benefit_cap = forms.DecimalField(
        label="金额上限(元)", required=False, min_value=0, decimal_places=2
    )
    benefit_note = forms.CharField(label="扶持内容说明", max_length=300, required=False)
    conditions = forms.CharField(
        label="享受条件（每行一条：名称：表达式）",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "code-input"}),
    )
    change_note = forms.CharField(label="修订说明", max_length=300, required=False)

    def __init__(self, *args, departments=(), creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = [(d.code, d.name) for d in departments]
        self.fields["code"].required = creating
        self.fields["department"].required = creating
        if not creating:
            del self.fields["code"]
            del self.fields["department"]
            del self.fields["subject_kind"]

    def clean_subject_kind(self) -> str:
        return self.cleaned_data.get("subject_kind") or SubjectKind.ENTERPRISE

    def content(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("code", None)
        data.pop("department", None)
        data.pop("subject_kind", None)
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label="数据文件(.xlsx 或 .csv)")
    subject_kind = forms.ChoiceField(
        label="数据对象",
        choices=[
            (SubjectKind.ENTERPRISE, "企业（按统一社会信用代码）"),
            (SubjectKind.PERSON, "个人（按公民身份号码）"),
        ],
        initial=SubjectKind.ENTERPRISE,
        required=False,
    )
    as_of = forms.DateField(label="数据日期", required=False, widget=DATE)
    kind = forms.ChoiceField(
        label="来源类型",
        choices=[(SourceKind.DEPARTMENT, "部门数据导入"), (SourceKind.API, "部门接口导出")],
        initial=SourceKind.DEPARTMENT,
    )
    register_missing = forms.BooleanField(
        label="登记文件中平台尚无的企业或个人(需有“企业名称”或“姓名”列)",
        required=False,
        initial=True,
    )

    def clean_subject_kind(self) -> str:
        return self.cleaned_data.get("subject_kind") or SubjectKind.ENTERPRISE
