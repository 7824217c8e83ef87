"""``banshi audit verify|purge|head|anchor``: check the hash chain (and the signed anchors), apply
the retention, print the head, sign and store the head."""

from __future__ import annotations

import json
import sys

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from banshi.audit import services
from banshi.audit.models import AuditAnchor
from banshi.licences.keys import KeyMissing
from banshi.licences.signing import SigningError


class Command(BaseCommand):
    help = "审计日志 / audit trail: verify the hash chain, purge past the retention, print the head"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="walk the chain; exit 1 at the first broken entry")
        verify.add_argument(
            "--json", dest="as_json", action="store_true", help="print the result as JSON"
        )
        verify.add_argument(
            "--anchor",
            default=None,
            help="SEQUENCE:HASH printed earlier by `banshi audit head`; it must still match",
        )
        purge = sub.add_parser("purge", help="remove entries older than the retention")
        purge.add_argument(
            "--days", type=int, default=None, help="retention in days (default: the setting)"
        )
        sub.add_parser("head", help="print the chain head (sequence, hash) as JSON, to anchor it")
        sub.add_parser(
            "anchor",
            help="sign the chain head with the platform's key (SM2), store it and print it as JSON",
        )

    def handle(self, *args, action: str, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_verify(self, as_json: bool = False, anchor: str | None = None, **_):
        report = services.verify(anchor=_anchor(anchor))
        if as_json:
            self.stdout.write(_json(report))
        elif report.ok:
            self.stdout.write(
                f"审计链完整 / chain intact: {report.checked} 条 entries"
                + (f" (#{report.first_sequence}–#{report.last_sequence})" if report.checked else "")
                + f"; 签名锚定 / signed anchors checked: {AuditAnchor.objects.count()}"
            )
        else:
            self.stderr.write(f"审计链被破坏 / chain broken: {report.problem}")
        if not report.ok:
            sys.exit(1)

    def handle_purge(self, days: int | None, **_):
        try:
            result = services.purge(days=days)
        except (services.AuditError, ImproperlyConfigured) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"已清理 / purged {result.purged} 条 entries older than {result.cutoff:%Y-%m-%d %H:%M}"
            + (f" (≤ #{result.through_sequence})" if result.through_sequence else "")
        )

    def handle_head(self, **_):
        self.stdout.write(json.dumps(services.head(), ensure_ascii=False))

    def handle_anchor(self, **_):
        try:
            stored = services.anchor()
        except (KeyMissing, SigningError, OSError) as error:  # the key file: say which, exit 1
            raise CommandError(f"无法锚定 / cannot anchor: {error}") from error
        self.stdout.write(
            json.dumps(
                {
                    "sequence": stored.sequence,
                    "hash": stored.hash,
                    "at": stored.at.isoformat(),
                    "algorithm": stored.algorithm,
                    "key_fingerprint": stored.key_fingerprint,
                    "public_key": stored.public_key,
                    "signature": stored.signature,
                },
                ensure_ascii=False,
            )
        )


def _anchor(text: str | None) -> tuple[int, str] | None:
    if not text:
        return None
    sequence, _, digest = text.partition(":")
    if not sequence.isdigit() or len(digest) != 64:
        raise CommandError("--anchor 应为 序号:摘要 / --anchor is SEQUENCE:HASH (64 hex digits)")
    return int(sequence), digest.lower()


def _json(report) -> str:
    problem = report.problem
    return json.dumps(
        {
            "ok": report.ok,
            "checked": report.checked,
            "first_sequence": report.first_sequence,
            "last_sequence": report.last_sequence,
            "problem": None
            if problem is None
            else {"sequence": problem.sequence, "kind": problem.kind, "message": problem.message},
        },
        ensure_ascii=False,
    )
