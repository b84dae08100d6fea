"""``make run`` on another address (R-ACC-5): the links in the e-mails follow the port the
portal is served on.

The Makefile is run for real, with a stand-in Python in a throw-away virtualenv folder that
records how it is called (nothing is installed, migrated or served)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

FAKE_PYTHON = """#!/bin/sh
printf '%s|%s|%s\\n' "$*" "${PORTAL_BASE_URL-<unset>}" "${DEBUG-}" >> "$CALLS"
"""

MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="GNU make is not installed")


def make_run(tmp_path: Path, *args: str, **env: str) -> list[tuple[str, str, str]]:
    """Run ``make run ARGS`` with a stand-in Python; return its calls (args, base URL, DEBUG)."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    calls = tmp_path / "calls"
    environ = {k: v for k, v in os.environ.items() if k not in {"PORTAL_BASE_URL", "MAKEFLAGS"}}
    environ.update(CALLS=str(calls), **env)
    subprocess.run(  # noqa: S603 - the project's own Makefile
        [MAKE, "--no-print-directory", "run", f"VENV={venv}", *args],
        cwd=ROOT,
        env=environ,
        check=True,
        capture_output=True,
        timeout=60,
    )
    return [tuple(line.split("|")) for line in calls.read_text().splitlines()]


def base_url_in_settings(tmp_path: Path, base_url: str) -> str:
    """PORTAL_BASE_URL as the portal's settings read it from the environment ``make run``
    gives ``manage.py``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environ.update(
        PORTAL_BASE_URL=base_url,
        DEBUG="1",
        VAR_DIR=str(tmp_path / "var"),
        DJANGO_SETTINGS_MODULE="portal.settings",
        PYTHONPATH=str(ROOT / "src"),
    )
    result = subprocess.run(  # noqa: S603 - this Python, the portal's settings
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.PORTAL_BASE_URL)",
        ],
        env=environ,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result.stdout.strip()


def test_make_run_links_follow_the_port_R_ACC_5(tmp_path):
    """R-ACC-5, issue 14 item 2: ``make run PORT=8101`` serves on 8101 and every step (migrate,
    demo, runserver) gets PORTAL_BASE_URL http://localhost:8101, which the settings use for the
    links in the e-mails."""
    calls = make_run(tmp_path, "PORT=8101")
    served = [call for call in calls if call[0].startswith("manage.py runserver")]
    assert served == [("manage.py runserver localhost:8101", "http://localhost:8101", "1")]
    manage = [call for call in calls if call[0].startswith("manage.py")]
    assert [call[0].split()[1] for call in manage] == ["migrate", "demo", "runserver"]
    assert {call[1] for call in manage} == {"http://localhost:8101"}
    assert base_url_in_settings(tmp_path, manage[0][1]) == "http://localhost:8101"


def test_make_run_default_and_chosen_base_url_R_ACC_5(tmp_path):
    """R-ACC-5, issue 14 item 2: without PORT the portal serves and links at localhost:8000 (a
    host name: passkeys need one, never an IP address); a PORTAL_BASE_URL the user set (in the
    environment or on the command line) is kept."""
    (default,) = [c for c in make_run(tmp_path / "a") if "runserver" in c[0]]
    assert default[:2] == ("manage.py runserver localhost:8000", "http://localhost:8000")

    (chosen,) = [
        c
        for c in make_run(
            tmp_path / "b", "PORT=8101", PORTAL_BASE_URL="https://portaal.example.test"
        )
        if "runserver" in c[0]
    ]
    assert chosen[:2] == ("manage.py runserver localhost:8101", "https://portaal.example.test")

    (on_line,) = [
        c
        for c in make_run(tmp_path / "c", "HOST=0.0.0.0", "PORTAL_BASE_URL=http://192.0.2.7:8000")
        if "runserver" in c[0]
    ]
    assert on_line[:2] == ("manage.py runserver 0.0.0.0:8000", "http://192.0.2.7:8000")
