"""``banshi licences keygen|verify|expire|remind`` (电子证照)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from banshi.cases.errors import CaseError
from banshi.licences import keys, services, verification
from banshi.licences.signing import ALGORITHMS, SigningError
from banshi.people.identifiers import IdentifierError


def _date(raw: str | None) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError as error:
        raise CommandError(f"日期格式应为 YYYY-MM-DD / dates read YYYY-MM-DD: {raw}") from error


class Command(BaseCommand):
    help = "电子证照 / electronic licences: keygen, verify, expire, remind"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        keygen = sub.add_parser("keygen", help="make a department's signing key (file 0600)")
        keygen.add_argument("--department", required=True, help="department code, e.g. SCJG")
        keygen.add_argument("--algorithm", choices=ALGORITHMS, default=None)
        keygen.add_argument(
            "--uscc", default=None, help="the department's credit code (颁发机构代码)"
        )
        verify = sub.add_parser("verify", help="check a licence: identifier, signature, status")
        verify.add_argument("identifier")
        verify.add_argument("--today", default=None)
        expire = sub.add_parser("expire", help="mark licences past their validity as expired")
        expire.add_argument("--today", default=None)
        remind = sub.add_parser("remind", help="queue renewal reminders (licence.expiring)")
        remind.add_argument("--today", default=None)

    def handle(self, *args, action: str, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_keygen(self, department: str, algorithm: str | None, uscc: str | None, **_):
        try:
            key = services.generate_key(department, algorithm=algorithm, issuer_code=uscc)
        except (CaseError, SigningError, IdentifierError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{key.department.code} {key.algorithm} fingerprint {key.fingerprint}\n"
            f"private key: {keys.path_of(key.fingerprint)} (0600)\n"
            f"issuer code: {key.issuer_code}"
        )

    def handle_verify(self, identifier: str, today: str | None, **_):
        verdict = verification.lookup(identifier, today=_date(today))
        licence = verdict.licence
        if licence is not None:
            self.stdout.write(f"{licence.name} {licence.number} {licence.identifier}")
        if verdict.valid:
            self.stdout.write("有效 / valid: signature and status hold")
            return
        for problem in verdict.problems:
            self.stdout.write(f"✗ {problem}")
        raise SystemExit(1)

    def handle_expire(self, today: str | None, **_):
        count = services.expire_due(_date(today))
        self.stdout.write(f"expired: {count}")

    def handle_remind(self, today: str | None, **_):
        count = services.renewal_reminders(_date(today))
        self.stdout.write(f"reminders queued: {count}")
