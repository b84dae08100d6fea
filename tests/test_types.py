"""The type checker's rule: mypy with django-stubs checks the whole ``portal`` package at 0
errors, and every services, selectors (``queries``) and views module in strict mode.

No requirement id: this guards the design's rule for the code (typed services, selectors and
views, checked in CI), not a behaviour of the portal. The configuration is ``[tool.mypy]`` in
pyproject.toml; mypy's incremental cache (``.mypy_cache``) keeps a repeated run to seconds.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api")

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "portal"
PYPROJECT = ROOT / "pyproject.toml"

# The layers held to strict mode, by module name: a module of this name, or a package of this
# name (its submodules), anywhere under portal.
STRICT_NAMES = {"services", "queries", "selectors", "views"}


def _modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        if "migrations" in relative.parts:
            continue
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    return names


def _strict_modules() -> list[str]:
    return [name for name in _modules() if STRICT_NAMES & set(name.split(".")[1:])] + [
        "portal.api.docs",
        "portal.web.offices",
        "portal.web.outbox",
        "portal.ui.compose",
        "portal.ui.files",
    ]


def _configured_options():
    """mypy's options as pyproject.toml sets them (per-module sections included)."""
    from mypy.config_parser import parse_config_file
    from mypy.options import Options

    options = Options()
    strict_globally = []
    parse_config_file(options, lambda: strict_globally.append(True), str(PYPROJECT))
    # ``strict = true`` in any section would switch strict mode on for every module.
    assert not strict_globally, "strict = true is global in mypy: list the per-module flags"
    return options


def _strict_flags() -> dict[str, object]:
    """The per-module flags that ``--strict`` changes, with their strict values (from mypy
    itself, so a flag a newer mypy adds to --strict shows up here)."""
    from mypy.main import process_options
    from mypy.options import PER_MODULE_OPTIONS, Options

    _sources, strict = process_options(["--strict", "--config-file", os.devnull, "-c", "pass"])
    default = Options()
    return {
        name: getattr(strict, name)
        for name in sorted(PER_MODULE_OPTIONS)
        if getattr(strict, name) != getattr(default, name)
    }


def test_strict_flags_are_what_strict_mode_enables():
    """The strict override lists --strict's per-module flags; a services module gets them."""
    options = _configured_options()
    flags = _strict_flags()
    assert "disallow_untyped_defs" in flags  # the list is not empty by accident
    module = options.clone_for_module("portal.dossiers.services")
    assert {name: getattr(module, name) for name in flags} == flags
    # ...and the rest of the package is not strict, but checked.
    other = options.clone_for_module("portal.dossiers.models")
    assert not other.disallow_untyped_defs
    assert other.check_untyped_defs


def test_every_services_selectors_and_views_module_is_strict():
    """A new services, queries/selectors or views module (or one moved to another package)
    cannot escape strict mode: the override's patterns must match it."""
    options = _configured_options()
    flags = _strict_flags()
    strict = _strict_modules()
    assert "portal.workspace.views" in strict and "portal.api.views" in strict
    loose = [
        name
        for name in strict
        if {flag: getattr(options.clone_for_module(name), flag) for flag in flags} != flags
    ]
    assert loose == [], f"not under the strict override in pyproject.toml: {loose}"


def test_mypy_reports_no_errors():
    """mypy over src/portal (the configured ``files``): 0 errors."""
    cwd = os.getcwd()
    os.chdir(ROOT)  # the configuration's paths are relative to the project
    try:
        stdout, stderr, status = mypy_api.run(["--config-file", str(PYPROJECT)])
    finally:
        os.chdir(cwd)
    assert status == 0, stdout + stderr
    assert "Success: no issues found" in stdout
