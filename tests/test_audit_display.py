"""The audit trail reads as sentences in the reader's language, never as codes (R-X-1, R-ME-1,
issue 14 item 10)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.test import Client as HttpClient
from django.urls import get_resolver
from django.urls.resolvers import URLResolver
from django.utils import translation

from portal.audit.display import ROUTES, SENTENCES, describe
from portal.audit.models import AuditEntry
from portal.dossiers.models import Dossier

from .factories import StaffFactory
from .workspace_helpers import staff_http

SOURCE = Path(__file__).resolve().parent.parent / "src" / "portal"
CODE = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)*$")
API_METHODS = ("get", "post", "put", "patch", "delete")


def _strings(node) -> set[str]:
    """The string constants an expression can be: a literal, either side of ``a if c else b``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _strings(node.body) | _strings(node.orelse)
    return set()


def recorded_actions() -> set[str]:
    """Every action code the code base records: the first argument of each ``record(...)``
    call, the ``action=`` handed on to a helper that records, a variable ``action`` that is
    recorded, and ``api.<method>`` for the API's own entry per call (an f-string)."""
    codes: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "record" and node.args:
                    first = node.args[0]
                    if isinstance(first, ast.JoinedStr):
                        prefix = first.values[0]
                        assert isinstance(prefix, ast.Constant) and prefix.value == "api."
                        codes |= {f"api.{method}" for method in API_METHODS}
                    codes |= _strings(first)
                for keyword in node.keywords:
                    if keyword.arg == "action" and name != "add_argument":  # not argparse
                        codes |= _strings(keyword.value)
            elif isinstance(node, ast.Assign) and any(
                getattr(target, "id", None) == "action" for target in node.targets
            ):
                codes |= _strings(node.value)
    return {code for code in codes if CODE.match(code)}


def untranslated(texts: dict) -> list[str]:
    """The keys whose text reads the same in Dutch as in English (no Dutch translation)."""
    with translation.override("en"):
        english = {key: str(text) for key, text in texts.items()}
    with translation.override("nl"):
        return [key for key, text in texts.items() if str(text) == english[key]]


def _entry(action: str, **fields) -> AuditEntry:
    return AuditEntry(action=action, target=fields.pop("target", "Object 1"), **fields)


def test_the_code_base_records_the_actions_this_test_knows_R_X_1():
    """The scan finds the codes (so the next test is not vacuous)."""
    found = recorded_actions()
    assert {"dossier.created", "message.sent", "request.denied", "api.get"} <= found
    assert {"account.blocked", "account.unblocked", "api.webhook_changed"} <= found
    assert len(found) >= 40


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_recorded_action_reads_as_a_sentence_in_both_languages_R_X_1(language):
    """R-X-1, R-ME-1, issue 14 item 10: every action the code base records has its own
    sentence, translated into Dutch; none shows its code."""
    missing = sorted(recorded_actions() - set(SENTENCES) - {"request.denied", "rate_limited"})
    assert missing == [], "actions without a sentence in portal/audit/display.py"
    assert untranslated(SENTENCES) == []
    with translation.override(language):
        for code in recorded_actions():
            text = describe(_entry(code, data={"route": "messaging:reply", "status": 404}))
            assert code not in text and "%(" not in text, (code, text)
            assert "Object 1" in text or code in {
                "login.succeeded",
                "logout",
                "login.second_factor",
                "session.expired",
                "account.password_link_unknown_address",
                "request.denied",
                "rate_limited",
            }, (code, text)


def _routes(resolver=None, namespace=""):
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern, inner)
        elif pattern.name:
            yield namespace + pattern.name


def test_every_route_of_the_portal_has_a_noun_for_its_denials_R_X_1():
    """R-X-1, issue 14 item 10: a denial names what was refused in words; every named route
    outside the admin and the API (which read as "a page of the admin" / "the API") has its
    noun, in Dutch too. The hosting site's refusals are in no office's trail (no office is
    chosen there, ``audit.middleware``)."""
    routes = {r for r in _routes() if not r.startswith(("admin:", "api:", "hosting:"))}
    assert routes - set(ROUTES) == set()
    assert untranslated(ROUTES) == []


def test_an_unknown_code_still_reads_as_a_sentence_R_X_1():
    """An action without a sentence (an old row, a new code) is never shown raw."""
    with translation.override("nl"):
        assert describe(_entry("something.new_here")) == "Gebeurtenis vastgelegd: Object 1"
        assert describe(_entry("x.y", target="")) == "Gebeurtenis vastgelegd"
        denied = _entry("request.denied", target="", data={"route": "admin:foo_change"})
        assert describe(denied) == "Toegang geweigerd: een pagina van het beheer"


def test_a_denial_reads_as_a_sentence_in_the_trail_in_the_staff_language_R_X_1(world):
    """R-X-1, R-ME-1, issue 14 item 10: a client reaching for a reply in someone else's dossier;
    staff read "Toegang geweigerd: antwoord op bericht in dossier <number>" in the dossier's and
    the client's trail (English staff in English); the codes are nowhere on the page."""
    dossier = world.person_dossier
    message = dossier.messages.get()
    http = HttpClient()
    http.force_login(world.other)
    assert (
        http.get(f"/dossiers/{dossier.pk}/berichten/{message.pk}/beantwoorden/").status_code == 404
    )

    dutch = staff_http(StaffFactory(language="nl"))
    english = staff_http(StaffFactory(email="en@office.test", language="en"))
    for path in (
        f"/kantoor/dossiers/{dossier.pk}/logboek/",
        f"/kantoor/klanten/{world.other.client_id}/logboek/",
    ):
        page = dutch.get(path).content.decode()
        assert f"Toegang geweigerd: antwoord op bericht in dossier {dossier.number}" in page
        assert "request.denied" not in page and "messaging:reply" not in page
        page = english.get(path).content.decode()
        assert f"Access denied: reply to a message in dossier {dossier.number}" in page

    trail = dutch.get(f"/kantoor/dossiers/{dossier.pk}/logboek/").content.decode()
    assert f"Bericht “Bericht over {dossier.number}” verstuurd in dossier" in trail
    assert "message.sent" not in trail


def test_the_admin_lists_the_trail_as_sentences_R_X_1(world, admin_client):
    """R-X-1, issue 14 item 10: the admin's list of the trail shows the sentence and filters on
    named actions."""
    page = admin_client.get("/beheer/audit/auditentry/").content.decode()
    assert f"Toegang tot dossier {world.person_dossier.number} ingetrokken voor" in page
    rows = page.split("<tbody>")[1].split("</tbody>")[0]
    assert "dossier.access_revoked" not in rows
    assert ">Toegang tot dossier … gegeven aan …</a>" in page  # the filter on actions


def test_approval_requests_read_as_sentences_R_SIG_4_R_X_1():
    """R-SIG-4 / R-X-1: the approval codes read as their own sentences, Dutch and English."""
    dossier = Dossier(pk=1, number="2026.0300")
    expected = {
        "approval.sent": (
            "Akkoord gevraagd op “Concept” in dossier 2026.0300",
            "Approval of “Concept” asked in dossier 2026.0300",
        ),
        "approval.approved": (
            "Akkoord gegeven op “Concept” in dossier 2026.0300",
            "“Concept” approved in dossier 2026.0300",
        ),
        "approval.rejected": (
            "Niet akkoord gegeven op “Concept” in dossier 2026.0300",
            "“Concept” not approved in dossier 2026.0300",
        ),
        "approval.cancelled": (
            "Verzoek om akkoord op “Concept” ingetrokken in dossier 2026.0300",
            "Approval request for “Concept” cancelled in dossier 2026.0300",
        ),
        "approval.reminded": (
            "Herinnering voor het akkoord op “Concept” verstuurd in dossier 2026.0300",
            "Reminder of the approval of “Concept” sent in dossier 2026.0300",
        ),
    }
    for code, (dutch, english) in expected.items():
        entry = _entry(code, target="Concept", dossier=dossier)
        with translation.override("nl"):
            assert describe(entry) == dutch
        with translation.override("en"):
            assert describe(entry) == english
