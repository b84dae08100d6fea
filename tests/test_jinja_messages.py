"""`make messages` reads the Jinja2 templates too (R-ME-1): ``manage.py makemessages``
(``portal.maintenance.management.commands.makemessages``) extracts every string of every
Jinja2 template, and both catalogues translate them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from django.template import engines

from .conftest import skip_or_fail
from .test_i18n import PORTAL, read_po

ROOT = Path(__file__).resolve().parent.parent


def jinja_strings() -> set[str]:
    """Every msgid (singular and plural) of the gettext calls in the Jinja2 templates."""
    env = engines["jinja2"].env
    found = set()
    templates = sorted(PORTAL.glob("*/jinja2/**/*.html"))
    assert len(templates) >= 9
    for path in templates:
        for _line, _function, message in env.extract_translations(path.read_text()):
            found.update(m for m in (message if isinstance(message, tuple) else (message,)) if m)
    return found


def test_the_strings_of_the_jinja2_templates_are_translated_R_ME_1():
    strings = jinja_strings()
    # Strings that the Jinja2 templates alone use: plurals through ngettext().
    assert {"%(n)s unread", "%(n)s file", "%(n)s files", "not done yet"} <= strings
    for language in ("nl", "en"):
        entries = {
            e["msgid"]: e for e in read_po(PORTAL / f"locale/{language}/LC_MESSAGES/django.po")
        }
        missing = strings - set(entries) - {e.get("msgid_plural") for e in entries.values()}
        assert missing == set(), language
        if language == "nl":  # the English catalogue leaves a text that stays the same empty
            for msgid in strings & set(entries):
                assert all(entries[msgid]["msgstr"].values()), msgid


def test_makemessages_extracts_every_string_of_the_jinja2_templates_R_ME_1(tmp_path):
    """The command `make messages` runs finds the gettext calls of the Jinja2 templates,
    ngettext() included (Django's own makemessages reads them as Django templates and misses
    those)."""
    if shutil.which("xgettext") is None:
        skip_or_fail("GNU gettext (xgettext) is not installed")
    copy = tmp_path / "portal"
    shutil.copytree(PORTAL, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(ROOT / "manage.py"), "makemessages", "-l", "nl", "--no-obsolete"],
        cwd=copy,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "VAR_DIR": str(tmp_path / "var")},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    po = copy / "locale/nl/LC_MESSAGES/django.po"
    fresh = read_po(po)
    extracted = {e["msgid"] for e in fresh} | {e.get("msgid_plural") for e in fresh}
    assert jinja_strings() - extracted == set()
    # Found in the Jinja2 template itself (the location comment), not only elsewhere.
    text = po.read_text()
    assert "#: dossiers/jinja2/dossiers/_tab_items.html" in text
    assert not list(copy.rglob("*.html.py")), "the command cleans up its work files"
