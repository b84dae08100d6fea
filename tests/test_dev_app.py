"""The development commands (``demo``, ``generate_data``) live in the ``portal_dev`` app, which
the runtime package (the wheel a production deployment installs) does not contain, and which the
settings install only in the embedded mode (DEBUG) or when PORTAL_DEV_APP asks for it."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_runtime_package_list_leaves_the_dev_app_out_issue_16_item_11():
    """Issue 16 item 11: setuptools' package list from pyproject.toml (what `pip install .`
    installs) has every portal package and no portal_dev, and no development command."""
    from setuptools.config.pyprojecttoml import apply_configuration
    from setuptools.dist import Distribution

    cwd = os.getcwd()
    os.chdir(ROOT)  # setuptools resolves `where` from the working directory, as when building
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "[tool.setuptools] is still beta"
            dist = apply_configuration(Distribution(), ROOT / "pyproject.toml")
        packages = set(dist.packages)
    finally:
        os.chdir(cwd)
    assert {"portal", "portal.offices", "portal.offices.management.commands"} <= packages
    assert (ROOT / "src" / "portal_dev" / "apps.py").exists()
    assert not [name for name in packages if name.split(".")[0] == "portal_dev"], packages
    runtime_commands = {
        path.stem for path in (ROOT / "src" / "portal").glob("*/management/commands/*.py")
    }
    assert {"backup", "restore"} <= runtime_commands
    assert not runtime_commands & {"demo", "generate_data"}


def _installed_apps(**environment: str) -> list[str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "PORTAL_DEV_APP", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        SECRET_KEY="tests-only-not-a-secret",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
        **environment,
    )
    done = subprocess.run(  # noqa: S603 - this interpreter on the project's settings
        [
            sys.executable,
            "-c",
            "from portal import settings; print('\\n'.join(settings.INSTALLED_APPS))",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()


@pytest.mark.parametrize(
    ("environment", "installed"),
    [
        ({"DEBUG": "0"}, False),
        ({}, False),
        ({"DEBUG": "1"}, True),
        ({"DEBUG": "0", "PORTAL_DEV_APP": "1"}, True),
        ({"DEBUG": "1", "PORTAL_DEV_APP": "0"}, False),
    ],
)
def test_dev_app_installed_only_in_debug_or_when_asked_issue_16_item_11(environment, installed):
    """Issue 16 item 11: with DEBUG off and no PORTAL_DEV_APP the settings never install
    portal_dev (a production deployment); DEBUG=1 (make run) or PORTAL_DEV_APP=1 (the
    benchmarks' data step) installs it; PORTAL_DEV_APP=0 keeps it out even with DEBUG."""
    apps = _installed_apps(**environment)
    assert "portal.offices" in apps
    assert ("portal_dev" in apps) is installed


def test_dev_app_missing_with_the_switch_on_is_a_clear_error_issue_16_item_11():
    """Issue 16 item 11: PORTAL_DEV_APP=1 where portal_dev is not there (a wheel install) says
    so at start-up instead of failing later with an unknown command."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "PORTAL_DEV_APP", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        SECRET_KEY="tests-only-not-a-secret",
        PORTAL_DEV_APP="1",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]),
    )
    # A None entry in sys.modules makes the package unimportable, as in a wheel install.
    code = "import sys; sys.modules['portal_dev'] = None; import portal.settings"
    done = subprocess.run(  # noqa: S603 - this interpreter on the project's settings
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode != 0
    assert "ImproperlyConfigured" in done.stderr
    assert "PORTAL_DEV_APP" in done.stderr and "portal_dev" in done.stderr
