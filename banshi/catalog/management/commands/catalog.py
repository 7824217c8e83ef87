"""``banshi catalog load|check|report|export`` (DESIGN §4 contract)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from banshi.catalog.canonical import dump_catalogue
from banshi.catalog.parsing import CatalogueError, check_paths
from banshi.catalog.report import render_markdown, render_table, report
from banshi.catalog.selectors import build_catalogue
from banshi.catalog.services import load_catalogue
from banshi.core import clock
from banshi.expr import ExprError

NATIONAL_DIR = Path(__file__).resolve().parents[2] / "national"


def national_files() -> list[Path]:
    """The shipped national catalogue, in load order (file name order)."""
    return sorted(NATIONAL_DIR.glob("*.yaml"))


class Command(BaseCommand):
    help = "事项目录 / service catalogue: load, check, report, export"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load YAML files (all or nothing; idempotent)")
        load.add_argument("paths", nargs="*", help="YAML files (default: the national catalogue)")
        load.add_argument(
            "--national", action="store_true", help="load the shipped national catalogue"
        )
        load.add_argument("--note", default="", help="change note stored on new versions")
        check = sub.add_parser(
            "check", help="check YAML files; one line per problem, exit 1 if any"
        )
        check.add_argument("paths", nargs="*", help="YAML files (default: the national catalogue)")
        rep = sub.add_parser("report", help="reduction report per bundle")
        rep.add_argument("paths", nargs="*", help="report on these files instead of the database")
        rep.add_argument("--bundle", action="append", default=None, help="bundle code (repeatable)")
        rep.add_argument(
            "--answers", default=None, help='situation answers as JSON, e.g. {"shop.area": 120}'
        )
        rep.add_argument("--json", action="store_true", help="print the contract JSON")
        rep.add_argument("--markdown", action="store_true", help="print a Markdown table")
        exp = sub.add_parser("export", help="write the current catalogue as YAML")
        exp.add_argument(
            "--output", "-o", default="-", help="file to write (default: standard output)"
        )

    def handle(self, *args, action: str, **options):
        getattr(self, f"handle_{action}")(**options)

    def handle_load(self, paths: list[str], national: bool, note: str, **_):
        files = [Path(p) for p in paths] if paths and not national else national_files()
        if national and paths:
            files = [*national_files(), *(Path(p) for p in paths)]
        try:
            result = load_catalogue(files, note=note)
        except CatalogueError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"目录有 {len(error.problems)} 个问题，未加载任何内容 / {len(error.problems)} problem(s): nothing was loaded"
            ) from error
        self.stdout.write(f"loaded {len(files)} file(s): {result.summary()}")

    def handle_check(self, paths: list[str], **_):
        files = [Path(p) for p in paths] if paths else national_files()
        _, problems = check_paths(files)
        for problem in problems:
            self.stdout.write(str(problem))
        if problems:
            self.stderr.write(f"{len(problems)} problem(s) / 发现 {len(problems)} 个问题")
            sys.exit(1)
        self.stdout.write(f"ok: {len(files)} file(s), no problems / 未发现问题")

    def handle_report(
        self,
        paths: list[str],
        bundle: list[str] | None,
        answers: str | None,
        json: bool,
        markdown: bool = False,
        **_,
    ):
        parsed_answers = _parse_answers(answers)
        if paths:
            catalogue, problems = check_paths(paths)
            if problems:
                for problem in problems:
                    self.stderr.write(str(problem))
                raise CommandError("目录有问题 / the catalogue has problems")
        else:
            catalogue = build_catalogue(clock.today())
        unknown = [code for code in bundle or [] if code not in catalogue.bundles]
        if unknown:
            raise CommandError(f"未知的一件事 / unknown bundle: {', '.join(unknown)}")
        try:
            data = report(catalogue, bundle, parsed_answers)
        except ExprError as error:
            raise CommandError(
                f"答案与条件不匹配 / an answer does not fit a condition: {error}"
            ) from error
        if json:
            self.stdout.write(_dumps(data))
        elif markdown:
            self.stdout.write(render_markdown(data))
        else:
            self.stdout.write(render_table(data))

    def handle_export(self, output: str, **_):
        text = dump_catalogue(build_catalogue(clock.today()))
        if output == "-":
            self.stdout.write(text, ending="")
        else:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"written to {output}")


def _parse_answers(raw: str | None) -> dict | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as error:
        raise CommandError(
            f"--answers 不是合法的 JSON / --answers is not valid JSON: {error}"
        ) from error
    if not isinstance(value, dict):
        raise CommandError("--answers 必须是 JSON 对象 / --answers must be a JSON object")
    return value


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)
