"""``banshi ratings seed`` (indicator sets and example windows) and ``banshi ratings scan``."""

from __future__ import annotations

from django.apps import apps
from django.core.management.base import BaseCommand

from banshi.ratings import seed, services


class Command(BaseCommand):
    help = "好差评: seed 写入指标体系和示例窗口 | scan 核实/整改超期督办(幂等)"

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("seed", help="indicator sets (§3.12) and example windows")
        actions.add_parser("scan", help="flag overdue verifications and rectifications")

    def handle(self, *args, action: str, **options) -> None:
        if action == "seed":
            created = seed.apply(apps.get_model)
            self.stdout.write(", ".join(f"{k} +{v}" for k, v in created.items()))
            return
        for line in services.scan().lines():
            self.stdout.write(line)
