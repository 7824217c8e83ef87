"""``banshi issue_notices [--application NUMBER]``: issue the written notices still missing.

Notices are issued right after each action commits; this command (run from the same timer as
``banshi scan_deadlines`` in production) retries any that could not be rendered at the time.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from banshi.cases import notices
from banshi.cases.models import Application


class Command(BaseCommand):
    help = "补发法定文书 / issue the written notices that are still missing (idempotent)"

    def add_arguments(self, parser):
        parser.add_argument("--application", help="only this application number")

    def handle(self, *args, application: str | None = None, **options):
        if application:
            row = Application.objects.filter(number=application).first()
            if row is None:
                raise CommandError(f"未找到申请 / no application {application}")
            count = notices.issue_notices(row)
        else:
            count = notices.retry_pending()
        self.stdout.write(f"文书 / notices checked or issued: {count}")
