"""The upload form of the verification page."""

from __future__ import annotations

from django import forms

# A generated document is a few hundred kilobytes; refuse anything far larger before hashing it.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class CompareForm(forms.Form):
    pdf = forms.FileField(
        label="选择要比对的 PDF 文件",
        error_messages={"required": "请选择要比对的文件", "empty": "文件为空"},
    )

    def clean_pdf(self):
        upload = self.cleaned_data["pdf"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件过大（超过 20 MB），不是本平台出具的文书")
        return upload
