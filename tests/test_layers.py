"""The layers of the code (docs/architecture.md, "Layers"): the import-linter contracts of
pyproject.toml hold, so the suite catches a broken layer as CI's `lint-imports` does.

The requirements concerned are every page's and call's: the client's pages (R-DOS-1..6,
R-MSG-1..7, R-Q-1..4), the workspace (R-OFF-1..5) and the API (R-OFF-6) sit above the domain
apps they use, and no domain app imports one of them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(src: Path) -> subprocess.CompletedProcess:
    """`lint-imports` with the project's contracts, on the `portal` package found in ``src``."""
    return subprocess.run(  # noqa: S603 - our own virtualenv's script, fixed arguments
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        cwd=ROOT,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_contracts_are_kept_R_OFF_1_R_OFF_6():
    """R-OFF-1, R-OFF-6: interfaces above portal.ui above the domain apps in their order; no
    domain module imports an interface; no import cycle in any package."""
    result = lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_a_domain_app_importing_an_interface_breaks_the_contracts_R_OFF_1(tmp_path):
    """R-OFF-1: the contracts are not vacuous: the audit app (the lowest layer) importing the
    client's pages breaks the layers, the forbidden imports and the acyclic contract at once."""
    copy = tmp_path / "src" / "portal"
    shutil.copytree(
        ROOT / "src" / "portal",
        copy,
        ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "templates", "fonts"),
    )
    services = copy / "audit" / "services.py"
    services.write_text(services.read_text() + "\nfrom portal.web.dossiers import views  # noqa\n")
    result = lint_imports(tmp_path / "src")
    assert result.returncode != 0
    assert "0 kept, 3 broken" in result.stdout, result.stdout
    assert "portal.audit.services -> portal.web.dossiers.views" in result.stdout
