"""``banshi bench NAME [--size N] [--json]`` and ``banshi bench list`` (DESIGN benchmark contract)."""

from __future__ import annotations

import importlib
import json

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from banshi.core.bench import REGISTRY


def discover() -> None:
    """Import every app's ``benchmarks`` module so its benchmarks register themselves."""
    for config in apps.get_app_configs():
        if config.name.startswith("banshi."):
            try:
                importlib.import_module(f"{config.name}.benchmarks")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.benchmarks":
                    raise


class Command(BaseCommand):
    help = (
        "运行性能基准 / run a benchmark: banshi bench NAME [--size N] [--json]; banshi bench list"
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="benchmark name, or 'list'")
        parser.add_argument(
            "--size", type=int, default=None, help="data size (default per benchmark)"
        )
        parser.add_argument("--json", action="store_true", help="end with one JSON line")

    def handle(self, *args, name: str, size: int | None, json: bool, **options):
        discover()
        if name == "list":
            for bench in sorted(REGISTRY.values(), key=lambda b: b.name):
                self.stdout.write(
                    f"{bench.name:<12} {bench.description} (default size {bench.default_size:,})"
                )
            return
        if name not in REGISTRY:
            known = ", ".join(sorted(REGISTRY)) or "none"
            raise CommandError(
                f"没有名为 {name!r} 的基准 / no benchmark named {name!r} (known: {known})"
            )
        bench = REGISTRY[name]
        result = bench.run(size or bench.default_size)
        data = result.as_json()
        self.stdout.write(f"benchmark  {bench.name}: {bench.description}")
        for note in result.notes:
            self.stdout.write(f"  {note}")
        rows = [
            ("size", f"{data['size']:,}"),
            ("ours per second", _fmt(data["ours_per_s"])),
            (f"baseline ({data['baseline']})", _fmt(data["baseline_per_s"])),
            ("ratio ours/baseline", _fmt(data["ratio"], "x")),
            ("p50 ms", _fmt(data["p50_ms"])),
            ("p95 ms", _fmt(data["p95_ms"])),
            ("peak MB", _fmt(data["peak_mb"])),
        ]
        for label, value in rows:
            self.stdout.write(f"  {label:<40} {value}")
        if json:
            self.stdout.write(_json_line(data))


def _fmt(value, suffix: str = "") -> str:
    if value is None:
        return "n/a"
    return f"{value:,.2f}{suffix}"


def _json_line(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
