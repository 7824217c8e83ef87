"""System check: warn the operator when PDFs cannot be made on this machine."""

from __future__ import annotations

from django.core.checks import Warning, register


@register()
def pdf_rendering(app_configs, **kwargs):
    from banshi.documents import render

    found = []
    if render.pango_missing():
        found.append(
            Warning(
                "无法生成文书 PDF：WeasyPrint 或 Pango 系统库不可用 / documents cannot be rendered: "
                "WeasyPrint or the Pango library is missing",
                hint="apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-noto-cjk",
                id="documents.W001",
            )
        )
    elif not render.cjk_fonts_installed():
        found.append(
            Warning(
                "未安装中文字体，文书 PDF 无法正确显示中文 / no CJK font installed",
                hint="apt-get install fonts-noto-cjk",
                id="documents.W002",
            )
        )
    return found
