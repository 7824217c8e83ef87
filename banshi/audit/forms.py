"""Forms of the audit pages: the auditor's search, and the purpose stated to unmask a value."""

from __future__ import annotations

from django import forms

from banshi.audit.models import Action
from banshi.audit.selectors import Filters


class SearchForm(forms.Form):
    actor = forms.CharField(label="操作人账号", required=False, max_length=150)
    action = forms.ChoiceField(
        label="事件", required=False, choices=[("", "全部"), *Action.choices]
    )
    subject_kind = forms.ChoiceField(
        label="对象类型",
        required=False,
        choices=[("", "全部"), ("person", "自然人"), ("enterprise", "法人"), ("auth.user", "账号")],
    )
    subject_id = forms.CharField(label="对象编号", required=False, max_length=64)
    case_number = forms.CharField(label="办件编号", required=False, max_length=48)
    date_from = forms.DateField(
        label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError("结束日期不能早于开始日期 / the end is before the start")
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            actor=(data.get("actor") or "").strip(),
            action=data.get("action") or "",
            subject_kind=data.get("subject_kind") or "",
            subject_id=(data.get("subject_id") or "").strip(),
            case_number=(data.get("case_number") or "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


class UnmaskForm(forms.Form):
    """查看完整信息: the purpose is required (PIPL §34, DESIGN §8)."""

    purpose = forms.CharField(
        label="查看用途",
        min_length=2,
        max_length=200,
        error_messages={
            "required": "请说明查看用途 / state why you need the full value",
            "min_length": "请说明查看用途 / state why you need the full value",
        },
    )
