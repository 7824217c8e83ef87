"""The action forms: they parse what a clerk typed, nothing more.

Each form carries the object's ``version`` (optimistic lock) as a hidden field; the view passes it
to the case engine, which refuses a stale one. Legal checks (reasons required for a denial, one
correction notice, the list of special procedures, extension limits …) are the engine's: a form
only turns text into the types the service takes, so the page and the API behave the same.
"""

from __future__ import annotations

from typing import Any

from django import forms

from banshi.cases import services
from banshi.cases.models import PauseReason, SupervisionLevel

TEXTAREA = {"rows": 3}


class VersionForm(forms.Form):
    """An action with nothing to type: the button and the version the clerk saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RefuseForm(VersionForm):
    ground = forms.ChoiceField(
        label="不予受理的类别",
        choices=[(key, text) for key, text in services.REFUSAL_GROUNDS.items()],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label="理由", required=False, widget=forms.Textarea(attrs=TEXTAREA), max_length=2000
    )
    redirect_agency = forms.CharField(
        label="应向其申请的行政机关",
        required=False,
        max_length=200,
        help_text="不属于本机关职权范围的（第32条(二)），写明申请人应当向哪个机关申请",
    )


class CorrectOnTheSpotForm(VersionForm):
    """当场更正 (第32条(三)): one text input per form field, prefilled with the current value."""

    note = forms.CharField(label="更正说明", required=False, max_length=500)

    def __init__(self, *args: Any, rows: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows or []
        for row in self.rows:
            value = "" if row.value is None else row.value
            self.fields[f"field__{row.code}"] = forms.CharField(
                label=row.label, required=False, initial=value, max_length=500
            )

    def changes(self) -> dict[str, Any]:
        """Only the fields whose text differs from what was shown (numbers stay numbers)."""
        changed = {}
        for row in self.rows:
            typed = self.cleaned_data.get(f"field__{row.code}", "")
            shown = "" if row.value is None else str(row.value)
            if typed == shown:
                continue
            changed[row.code] = _typed(typed, row.type)
        return changed


def _typed(text: str, kind: str) -> Any:
    if kind == "number":
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() else number
    return text


class CorrectionForm(VersionForm):
    """一次性告知: a checkbox for every material and field of every case, a reason per line."""

    def __init__(self, *args: Any, groups: list | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups = groups or []
        for group in self.groups:
            for line in group.lines:
                self.fields[line.name] = forms.BooleanField(label=line.label, required=False)
                self.fields[line.reason_name] = forms.CharField(
                    label=f"{line.label} 的补正要求",
                    required=False,
                    max_length=500,
                    widget=forms.TextInput(
                        attrs={"placeholder": "补正要求，如：须提供加盖公章的原件"}
                    ),
                )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not self.entries():
            raise forms.ValidationError("请至少勾选一项需要补正的材料或表单项。")
        return cleaned

    def entries(self) -> list[dict[str, Any]]:
        """One notice line per checked box: ``{"case", "materials"|"fields", "reason"}``."""
        lines = []
        for group in self.groups:
            for line in group.lines:
                if not self.cleaned_data.get(line.name):
                    continue
                kind = "materials" if line.kind == "material" else "fields"
                lines.append(
                    {
                        "case": group.case.number,
                        kind: [line.code],
                        "reason": (self.cleaned_data.get(line.reason_name) or "").strip(),
                    }
                )
        return lines


class OpinionForm(VersionForm):
    department = forms.CharField(widget=forms.HiddenInput, max_length=32)
    opinion = forms.ChoiceField(
        label="意见", choices=[("agree", "同意"), ("disagree", "不同意")], widget=forms.RadioSelect
    )
    text = forms.CharField(
        label="意见说明", required=False, widget=forms.Textarea(attrs=TEXTAREA), max_length=2000
    )


class PauseForm(VersionForm):
    reason = forms.ChoiceField(label="特别程序（第45条）", choices=PauseReason.choices)
    expected_days = forms.IntegerField(label="预计所需（工作日）", min_value=0, max_value=999)
    notice_text = forms.CharField(
        label="书面告知申请人的内容",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=2000,
        help_text="留空则使用标准告知文本（程序名称和预计所需时间）",
    )


class ExtensionForm(VersionForm):
    reason = forms.CharField(
        label="延期理由（将告知申请人）", required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    days = forms.IntegerField(
        label="延长（工作日）",
        required=False,
        min_value=0,
        max_value=99,
        help_text="留空为最长可延期限",
    )


class DecideForm(VersionForm):
    outcome = forms.ChoiceField(
        label="决定",
        choices=[("grant", "准予许可"), ("deny", "不予许可")],
        widget=forms.RadioSelect,
    )
    reasons = forms.CharField(
        label="决定理由",
        required=False,
        widget=forms.Textarea(attrs=TEXTAREA),
        max_length=4000,
        help_text="不予许可的，应当说明理由（第38条）",
    )
    remedy_notice = forms.CharField(
        label="救济途径告知（不予许可时）",
        required=False,
        initial=services.REMEDY_NOTICE,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )

    @property
    def grant(self) -> bool:
        return self.cleaned_data["outcome"] == "grant"


class IssueForm(VersionForm):
    licence_number = forms.CharField(label="证照编号", required=False, max_length=100)


class CloseForm(VersionForm):
    delivery = forms.ChoiceField(
        label="送达方式",
        choices=[
            ("窗口领取", "窗口领取"),
            ("邮寄送达", "邮寄送达（免费寄递）"),
            ("网上送达", "网上送达（电子证照）"),
        ],
    )


class SuperviseForm(forms.Form):
    level = forms.ChoiceField(label="督办级别", choices=SupervisionLevel.choices)
    reason = forms.CharField(
        label="督办事由", required=False, widget=forms.Textarea(attrs=TEXTAREA), max_length=300
    )
