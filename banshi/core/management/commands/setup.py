"""``banshi setup [--demo]``: everything a fresh installation needs, idempotent.

Migrates the database, loads the shipped national catalogue (a no-op when unchanged) and, with
``--demo``, creates the demo accounts. Safe to run on every start and after every upgrade.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

from banshi.core.services import ensure_demo_accounts

# Apps whose example configuration refers to catalogue departments (``banshi NAME seed``).
SEEDS = ("appeals", "ratings")


class Command(BaseCommand):
    help = (
        "初始化平台 / migrate, load the national catalogue, and (with --demo) create demo accounts"
    )

    def add_arguments(self, parser):
        parser.add_argument("--demo", action="store_true", help="create the demo accounts")
        parser.add_argument(
            "--no-catalogue", action="store_true", help="skip loading the catalogue"
        )

    def handle(self, *args, demo: bool, no_catalogue: bool, **options):
        from django.conf import settings

        for folder in (settings.DATA_DIR, settings.STATIC_ROOT, settings.MEDIA_ROOT):
            Path(folder).mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("database migrated / 数据库已迁移")
        if not no_catalogue:
            call_command("catalog", "load", "--national", stdout=self.stdout, stderr=self.stderr)
            # 12345 categories and rating windows name departments: link them now the catalogue is in.
            commands = get_commands()
            for name in SEEDS:
                if name in commands:
                    call_command(name, "seed", stdout=self.stdout, stderr=self.stderr)
        if demo:
            accounts = ensure_demo_accounts()
            self.stdout.write(f"demo accounts ready / 演示账号已就绪: {', '.join(accounts)}")
        if demo and not no_catalogue and "policy_demo" in get_commands():
            # 惠企政策: demo policies and enterprise portraits, matched (banshi.policies)
            call_command("policy_demo", stdout=self.stdout, stderr=self.stderr)
