"""Every denial in the audit trail, and the trail per client (issue 8 item 5, R-X-1, ASVS V8/V16):
who was refused what, when and from where; never a token or a path that carries one. Staff read
the trail per dossier and per client in the workspace."""

from __future__ import annotations

import json

import pytest
from django.test import Client as HttpClient

from portal.audit.models import AuditEntry
from portal.dossiers import services as dossier_services

from .api_helpers import Api
from .factories import PASSWORD, DossierFactory, StaffFactory
from .workspace_helpers import staff_http


def denials():
    return AuditEntry.objects.filter(action="request.denied")


def test_a_client_reaching_for_another_clients_dossier_is_recorded_R_X_1(world):
    """R-X-1/R-DOS-6: the other client gets the same 404 as for a dossier that does not exist,
    and the attempt is in the trail: who, the route and the dossier, the address. Staff see it
    in that dossier's trail and in the trying client's trail."""
    http = HttpClient(REMOTE_ADDR="198.51.100.23")
    http.force_login(world.other)
    dossier = world.person_dossier
    assert http.get(f"/dossiers/{dossier.pk}/documenten/").status_code == 404

    entry = denials().get()
    assert entry.actor == world.other and entry.ip_address == "198.51.100.23"
    assert entry.dossier == dossier and entry.client == world.other.client
    assert entry.data == {
        "status": 404,
        "method": "GET",
        "route": "dossiers:tab",
        "arguments": {"pk": dossier.pk, "tab": "documenten"},
    }

    staff = staff_http(StaffFactory())
    dossier_trail = staff.get(f"/kantoor/dossiers/{dossier.pk}/logboek/").content.decode()
    denied = f"Toegang geweigerd: een tabblad van de dossierpagina in dossier {dossier.number}"
    assert denied in dossier_trail and "dossiers:tab" not in dossier_trail
    assert world.other.email in dossier_trail
    client_trail = staff.get(f"/kantoor/klanten/{world.other.client_id}/logboek/")
    assert client_trail.status_code == 200
    assert denied in client_trail.content.decode()


def test_a_dossier_that_does_not_exist_is_recorded_without_a_dossier_R_X_1(world):
    """A 404 for a signed-in user on a known route is recorded; the dossier column stays empty
    when no such dossier exists; an anonymous visitor's 404 on an unknown path is noise."""
    http = HttpClient()
    http.force_login(world.owner)
    assert http.get("/dossiers/987654/").status_code == 404
    entry = denials().get()
    assert entry.dossier is None and entry.data["arguments"] == {"pk": 987654}

    assert HttpClient().get("/no-such-page/").status_code == 404
    assert denials().count() == 1


def test_api_denials_are_recorded_once_without_the_token_R_OFF_6(db):
    """A wrong API token: 401, recorded once (the API's own entry of every call, with its
    status) with the address — the token typed is nowhere in the trail."""
    bad = "kp_" + "x" * 40
    response = Api(bad).get("/api/v1/dossiers/")
    assert response.status_code == 401
    entry = AuditEntry.objects.get()
    assert entry.action == "api.get" and entry.data["status"] == 401
    assert entry.actor is None and entry.ip_address == "127.0.0.1"
    stored = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert bad not in stored and "x" * 20 not in stored


def test_a_flood_of_anonymous_refusals_is_recorded_once_a_minute_R_X_1(db):
    """Forged posts from one address: the first refusal per route a minute is in the trail,
    the rest only in the log; another address is recorded on its own."""
    for _ in range(20):
        assert HttpClient(enforce_csrf_checks=True).post("/inloggen/").status_code == 403
    assert denials().count() == 1
    other = HttpClient(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.99")
    assert other.post("/inloggen/").status_code == 403
    assert denials().count() == 2
    assert set(denials().values_list("ip_address", flat=True)) == {"127.0.0.1", "203.0.113.99"}


def test_a_single_use_link_is_never_recorded_in_the_trail_R_ACC_2(db):
    """The path of an invitation or password link carries its token: a denial on such a route
    keeps the route's name only (and a CSRF refusal there is recorded)."""
    token = "geheim-token-1234567890"
    http = HttpClient(enforce_csrf_checks=True)
    response = http.post(f"/wachtwoord/nieuw/{token}/", {"password1": PASSWORD})
    assert response.status_code == 403
    entry = denials().get()
    assert entry.data["route"] == "accounts:set_password" and entry.data["arguments"] == {}
    assert token not in json.dumps(list(AuditEntry.objects.values()), default=str)


def test_the_trail_cannot_be_changed_or_deleted_through_the_app_R_X_1(world):
    """Entries are only ever added: the workspace trail pages answer GET only and the admin
    offers no add, change or delete."""
    HttpClient().force_login(world.owner)
    staff = staff_http(StaffFactory(staff_role="administrator"))
    entry = AuditEntry.objects.first()
    assert entry is not None
    for path in (
        f"/kantoor/dossiers/{world.person_dossier.pk}/logboek/",
        f"/kantoor/klanten/{world.owner.client_id}/logboek/",
    ):
        assert staff.post(path).status_code == 405
    assert staff.post(
        f"/beheer/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}
    ).status_code in (
        403,
        302,
    )
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
    assert staff.get("/beheer/audit/auditentry/add/").status_code == 403


def test_the_client_trail_shows_what_the_client_did_and_what_was_done_to_it_R_X_1(world):
    """Per client: its logins and refusals, the grants of its dossiers; not other clients'."""
    http = HttpClient(REMOTE_ADDR="203.0.113.9")
    http.post("/inloggen/", {"username": world.owner.email, "password": PASSWORD})
    other = HttpClient()
    other.post("/inloggen/", {"username": world.other.email, "password": PASSWORD})
    staff = StaffFactory()
    dossier_services.grant_access(dossier=DossierFactory(), client=world.owner.client, by=staff)

    trail = AuditEntry.objects.filter(client=world.owner.client)
    actions = set(trail.values_list("action", flat=True))
    assert {"login.succeeded", "dossier.access_granted"} <= actions
    assert not trail.filter(actor=world.other).exists()

    page = staff_http(staff).get(f"/kantoor/klanten/{world.owner.client_id}/logboek/")
    html = page.content.decode()
    assert '<th scope="row" class="ws-wrap">Ingelogd</th>' in html and "203.0.113.9" in html
    assert world.other.email not in html


@pytest.mark.parametrize("role", ["revoked", "company_extra"])
def test_a_revoked_client_and_an_extra_account_are_recorded_for_their_client_R_DOS_6(world, role):
    """R-DOS-6/R-ME-4: a client whose grant was revoked, and a company's extra account reaching
    for a dossier of someone else: the same 404, and the denial is in the trail of the dossier
    and of the account's own client (the company for the extra account)."""
    user = getattr(world, role)
    http = HttpClient()
    http.force_login(user)
    assert http.get(f"/dossiers/{world.person_dossier.pk}/").status_code == 404
    entry = denials().get()
    assert entry.actor == user and entry.client_id == user.client_id
    assert entry.dossier == world.person_dossier


def test_the_client_trail_reads_in_english_for_english_staff_R_ME_1(world):
    """R-ME-1: the per-client trail in the staff member's language."""
    staff = staff_http(StaffFactory(language="en"))
    page = staff.get(f"/kantoor/klanten/{world.owner.client_id}/logboek/").content.decode()
    assert "Audit trail" in page and "Audittrail" not in page
    dutch = staff_http(StaffFactory(email="nl@office.test", language="nl"))
    path = f"/kantoor/klanten/{world.owner.client_id}/logboek/"
    assert "Audittrail" in dutch.get(path).content.decode()
