"""``banshi import_credit FILE --department CODE``: import a department's credit file (CSV or
Excel; columns in :mod:`banshi.credit.imports`). Prints what was taken and every rejected row."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from banshi.catalog.models import Department
from banshi.core import clock
from banshi.credit import conf, imports, services
from banshi.policies.imports import FileProblem


class Command(BaseCommand):
    help = "导入部门信用记录文件 / import a department's credit records (CSV or Excel)"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--department", required=True, help="来源部门编码 / department code")

    def handle(self, *args, file: str, department: str, **options):
        source = Department.objects.filter(code=department).first()
        if source is None:
            raise CommandError(f"未知部门 {department} / unknown department {department}")
        path = Path(file)
        try:
            checked = imports.parse_file(
                path.read_bytes(), path.name, clock.today(), max_rows=conf.import_max_rows()
            )
        except (OSError, FileProblem) as error:
            raise CommandError(str(error)) from error
        outcome = services.import_rows(
            source, checked.rows, checked.rejected(), source="file", file_name=path.name
        )
        batch = outcome.batch
        self.stdout.write(
            f"导入 {batch.accepted} 条，重复 {batch.duplicates} 条，退回 {len(batch.rejected)} 行 / "
            f"imported {batch.accepted}, duplicates {batch.duplicates}, "
            f"rejected {len(batch.rejected)}"
        )
        for row in batch.rejected:
            self.stdout.write(f"  第{row['row']}行 [{row['column']}] {row['zh']} / {row['en']}")
