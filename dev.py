#!/usr/bin/env python3
"""Set-up and test runner for a fresh machine that has nothing but Python 3.11+.

    python3 dev.py up      # environment, database, national catalogue, demo accounts, serve :8000
    python3 dev.py test    # lint + format check + the whole test suite (pytest arguments pass through)
    python3 dev.py lock    # re-pin requirements/*.lock from pyproject.toml (maintainers)

Only the standard library is used here: everything else is installed into ./.venv from the pinned
lock files, so two machines set up from the same commit run the same versions.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("BANSHI_VENV") or ROOT / ".venv")
LOCKS = {"base": ROOT / "requirements" / "base.lock", "test": ROOT / "requirements" / "test.lock"}


def say(message: str) -> None:
    print(f"[banshi] {message}", flush=True)


def venv_bin(name: str) -> Path:
    folder = "Scripts" if os.name == "nt" else "bin"
    return VENV / folder / name


def ensure_environment(kind: str) -> None:
    """Create ./.venv and install the pinned lock (skipped when the lock has not changed)."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script is what tells an old Python
        sys.exit("Banshi needs Python 3.11 or newer / 需要 Python 3.11 及以上版本")
    if not venv_bin("python").exists():
        say(f"creating the virtual environment in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    lock = LOCKS[kind]
    digest = hashlib.sha256(lock.read_bytes() + (ROOT / "pyproject.toml").read_bytes()).hexdigest()
    stamp = VENV / f".banshi-{kind}.stamp"
    if stamp.exists() and stamp.read_text() == digest:
        return
    say(f"installing pinned dependencies from {lock.relative_to(ROOT)}")
    pip = [str(venv_bin("python")), "-m", "pip", "--disable-pip-version-check", "-q"]
    run([*pip, "install", "-r", str(lock)])
    run([*pip, "install", "--no-deps", "--no-build-isolation", "-e", str(ROOT)])
    stamp.write_text(digest)


def run(command: list[str], env: dict | None = None) -> None:
    result = subprocess.run(command, cwd=ROOT, env=env)
    if result.returncode != 0:
        sys.exit(result.returncode)


def banshi(*args: str, env: dict | None = None) -> None:
    run([str(venv_bin("banshi")), *args], env=env)


def up(argv: list[str]) -> None:
    ensure_environment("base")
    env = dict(os.environ)
    env.setdefault("BANSHI_DEMO", "true")
    env.setdefault("DEBUG", "false")
    address = argv[0] if argv else "127.0.0.1:8000"
    banshi("setup", "--demo", env=env)
    host = address if address.startswith("http") else f"http://{address}"
    print(
        "\n"
        "  办事 Banshi 已就绪 / Banshi is ready\n"
        f"  公众门户 Public portal:   {host}/\n"
        f"  管理后台 Staff admin:     {host}/admin/\n"
        "  演示账号 Demo accounts (password for all: banshi-demo-2026; the login page lists them all):\n"
        "    citizen / enterprise   申请人 applicants (个人 / 企业法定代表人)\n"
        "    window_clerk           综合窗口 window clerk\n"
        "    scjg_reviewer / xf_reviewer / scjg_head   审批人员 / 部门负责人 reviewers, heads\n"
        "    supervisor             效能监督 supervisor\n"
        "    hotline / cg_handler   12345 坐席 / 承办部门 hotline agent, handling department\n"
        "    auditor                审计员 auditor (/audit/)\n"
        "    catalog_admin          事项管理员 catalogue administrator (/admin/)\n"
        "    sysadmin               系统管理员 system administrator\n"
        f"  登录 Log in:             {host}/accounts/login/\n"
        "  Stop with Ctrl+C.\n",
        flush=True,
    )
    os.execve(str(venv_bin("banshi")), [str(venv_bin("banshi")), "serve", address], env)


def test(argv: list[str]) -> None:
    ensure_environment("test")
    say("ruff check")
    run([str(venv_bin("ruff")), "check", "."])
    say("ruff format --check")
    run([str(venv_bin("ruff")), "format", "--check", "."])
    say("pytest")
    run([str(venv_bin("python")), "-m", "pytest", *argv])


def lock(argv: list[str]) -> None:
    ensure_environment("test")
    python = str(venv_bin("python"))
    run([python, "-m", "pip", "install", "-q", "pip-tools"])
    common = [
        python,
        "-m",
        "piptools",
        "compile",
        "-q",
        "--strip-extras",
        "--no-header",
        "--allow-unsafe",
        "--no-emit-index-url",
        "--no-emit-find-links",
    ]
    run([*common, "-o", str(LOCKS["base"]), "pyproject.toml"])
    run([*common, "--extra", "test", "-o", str(LOCKS["test"]), "pyproject.toml"])


COMMANDS = {"up": up, "test": test, "lock": lock}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](sys.argv[2:])
