"""Dutch first, English complete (R-ME-1): the Dutch catalogue translates every string of the
code, has nothing fuzzy, is compiled, and is up to date with the templates and code."""

from __future__ import annotations

import ast
import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import skip_or_fail

PORTAL = Path(__file__).resolve().parent.parent / "src" / "portal"
CATALOGUE = PORTAL / "locale" / "nl" / "LC_MESSAGES"


def read_po(path: Path) -> list[dict]:
    """A small reader of .po files: entries with msgid, msgid_plural, msgstr[n] and flags."""
    entries, entry, key = [], None, None

    def flush():
        if entry is not None and entry.get("msgid", "") != "":
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            entry, key = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(key, int):
                entry["msgstr"][key] += value
            else:
                entry[key] += value
        else:
            name, _, value = line.partition(" ")
            value = ast.literal_eval(value)
            if name.startswith("msgstr["):
                key = int(name[7:-1])
                entry["msgstr"][key] = value
            elif name == "msgstr":
                key = 0
                entry["msgstr"][0] = value
            else:
                key = name
                entry[name] = value
    flush()
    return entries


def test_dutch_catalogue_is_complete_R_ME_1():
    """R-ME-1: every message has a Dutch translation, none is fuzzy."""
    entries = read_po(CATALOGUE / "django.po")
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_po_file_R_ME_1():
    """R-ME-1: the committed .mo is compiled from the current .po (a fresh machine needs no
    gettext to show Dutch)."""
    with open(CATALOGUE / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for entry in read_po(CATALOGUE / "django.po"):
        if "msgid_plural" in entry:
            for n, form in ((1, 0), (2, 1)):
                got = compiled.ngettext(entry["msgid"], entry["msgid_plural"], n)
                assert got == entry["msgstr"][form], entry["msgid"]
        elif "msgctxt" in entry:
            assert compiled.pgettext(entry["msgctxt"], entry["msgid"]) == entry["msgstr"][0]
        else:
            assert compiled.gettext(entry["msgid"]) == entry["msgstr"][0], entry["msgid"]


def test_po_file_is_up_to_date_with_the_code_R_ME_1(tmp_path):
    """R-ME-1: `make messages` would add nothing: every translatable string of the templates
    and the code is in the Dutch catalogue."""
    if shutil.which("xgettext") is None:
        skip_or_fail("GNU gettext (xgettext) is not installed")
    copy = tmp_path / "portal"
    shutil.copytree(PORTAL, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    result = subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, str(manage), "makemessages", "-l", "nl", "--no-location", "--no-obsolete"],
        cwd=copy,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DEBUG": "1", "VAR_DIR": str(tmp_path / "var")},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    fresh = {e["msgid"] for e in read_po(copy / "locale/nl/LC_MESSAGES/django.po")}
    committed = {e["msgid"] for e in read_po(CATALOGUE / "django.po")}
    assert fresh - committed == set(), "run `make messages` and translate the new strings"


@pytest.mark.django_db
def test_english_pages_have_no_dutch_labels_R_ME_1(client):
    """R-ME-1: an English user sees the English labels, a Dutch user the manual's Dutch ones."""
    from .factories import DossierFactory, UserFactory, grant

    user = UserFactory(language="en")
    dossier = DossierFactory()
    grant(dossier, user.client)
    client.force_login(user)
    english = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    for label in ["Correspondence", "Documents", "Supplied by me", "Messages", "Progress"]:
        assert label in english
    for label in ["Correspondentie", "Door mij aangeleverd", "Berichten", "Voortgang"]:
        assert label not in english
    user.language = "nl"
    user.save()
    dutch = client.get(f"/dossiers/{dossier.pk}/").content.decode()
    for label in ["Correspondentie", "Documenten", "Door mij aangeleverd", "Berichten"]:
        assert label in dutch


def dutch_texts() -> set[str]:
    """Dutch translations that cannot be mistaken for English: different from their msgid and
    at least two words long (so "Dossier", "OK" or "Status" do not count)."""
    texts = set()
    for entry in read_po(CATALOGUE / "django.po"):
        for text in entry["msgstr"].values():
            plain = text.split("%(")[0].split("{")[0].strip()
            if plain and plain != entry["msgid"] and len(plain.split()) >= 2 and len(plain) >= 12:
                texts.add(plain)
    return texts


def test_no_untranslated_text_on_english_pages_R_ME_1(world, client):
    """R-ME-1: an English user meets no Dutch text on any client page: none of the catalogue's
    Dutch translations appears (a string that is not marked for translation would show up
    here as the Dutch of another page, or be caught by the Dutch-only words below)."""
    from portal.messaging.models import Message

    user = world.company_main
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    dossier = world.company_dossier
    message = Message.objects.get(dossier=dossier)
    pages = [
        "/",
        "/dossiers/",
        f"/dossiers/{dossier.pk}/",
        *(f"/dossiers/{dossier.pk}/{tab}/" for tab in ("documenten", "aangeleverd", "berichten")),
        f"/dossiers/{dossier.pk}/berichten/nieuw/",
        f"/dossiers/{dossier.pk}/berichten/{message.pk}/",
        f"/dossiers/{dossier.pk}/berichten/{message.pk}/beantwoorden/",
        "/acties/",
        "/mijn-gegevens/",
        "/mijn-gegevens/accounts/",
        "/mijn-gegevens/accounts/nieuw/",
        "/mijn-gegevens/verificatie/sms/",
        "/mijn-gegevens/verificatie/app/",
    ]
    dutch = dutch_texts()
    assert len(dutch) > 200  # the check has teeth
    found = {}
    for page in pages:
        response = client.get(page, follow=True)
        assert response.status_code == 200, page
        body = response.content.decode()
        hits = sorted(text for text in dutch if text in body)
        hits += [
            word for word in ("Inloggen", "Uitloggen", "Versturen", "Verstuur") if word in body
        ]
        if hits:
            found[page] = hits
    assert found == {}
