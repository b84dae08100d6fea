"""Office staff work in the Django admin for now (R-OFF-1, R-OFF-2, R-ACC-5): create and invite
clients, create dossiers with progress steps, grant and revoke access. Every path goes through
the services, so the audit trail follows."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient

from portal.accounts.models import AccountToken, Client, User
from portal.audit.models import AuditEntry
from portal.dossiers.models import Dossier, DossierAccess
from portal.offices.models import Office

from .factories import ClientFactory, DossierFactory, StaffFactory, StatusFactory, UserFactory
from .workspace_helpers import verify_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db) -> User:
    return StaffFactory(email="notaris@office.test", staff_role="administrator")


@pytest.fixture
def admin_client(client, staff):
    client.force_login(staff)
    verify_second_factor(client)
    return client


def test_create_client_sends_invitation_R_OFF_1(admin_client, staff, run, mailoutbox):
    """R-OFF-1 / R-ACC-1: creating a client in the admin creates its main account and sends
    the invitation."""
    response = run(
        admin_client.post,
        "/beheer/accounts/client/add/",
        {
            "kind": "company",
            "name": "Bakkerij Test B.V.",
            "reference": "K-1001",
            "email": "Directie@Bakkerij.test",
            "full_name": "Piet Hendriks",
            "language": "nl",
            "send_invitation": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client = Client.objects.get(name="Bakkerij Test B.V.")
    assert client.is_company
    user = client.accounts.get()
    assert user.email == "directie@bakkerij.test"
    assert user.is_main_account and not user.has_usable_password()
    assert [m.to for m in mailoutbox] == [["directie@bakkerij.test"]]
    assert AuditEntry.objects.filter(action="client.created", actor=staff).exists()
    assert AuditEntry.objects.filter(action="account.invited", actor=staff).exists()


def test_create_client_refuses_a_taken_address_R_OFF_1(admin_client, mailoutbox):
    """R-OFF-1: an address that already has an account gets a clear message; nothing is made."""
    UserFactory(email="bestaat@example.test")
    response = admin_client.post(
        "/beheer/accounts/client/add/",
        {"kind": "person", "name": "Dubbel", "email": "BESTAAT@example.test", "language": "nl"},
    )
    assert response.status_code == 200
    assert "bestaat al een account" in response.content.decode()
    assert not Client.objects.filter(name="Dubbel").exists()
    assert mailoutbox == []


def test_create_client_without_invitation_then_invite_by_action_R_OFF_1(
    admin_client, run, mailoutbox
):
    """R-OFF-1: the invitation can be sent later (again) with the admin action."""
    run(
        admin_client.post,
        "/beheer/accounts/client/add/",
        {
            "kind": "person",
            "name": "Later Uitgenodigd",
            "email": "later@example.test",
            "language": "en",
        },
    )
    client = Client.objects.get(name="Later Uitgenodigd")
    assert mailoutbox == []
    response = run(
        admin_client.post,
        "/beheer/accounts/client/",
        {"action": "send_invitation", "_selected_action": [client.pk]},
    )
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject.startswith("Your account")  # the client's language
    assert AccountToken.objects.filter(user__client=client).count() == 1


def _dossier_form(status, handler, *, steps=(), grants=(), grant_ids=(), delete=()):
    data = {
        "number": "2026.9001",
        "description": "Levering woning Admin 1",
        "status": status.pk,
        "handler": handler.pk,
        "steps-TOTAL_FORMS": len(steps),
        "steps-INITIAL_FORMS": 0,
        "grants-TOTAL_FORMS": len(grants),
        "grants-INITIAL_FORMS": len(grant_ids),
    }
    for i, (title, done) in enumerate(steps):
        data[f"steps-{i}-position"] = i + 1
        data[f"steps-{i}-title"] = title
        if done:
            data[f"steps-{i}-done"] = "on"
    for i, client in enumerate(grants):
        data[f"grants-{i}-client"] = client.pk
        if i < len(grant_ids):
            data[f"grants-{i}-id"] = grant_ids[i]
            data[f"grants-{i}-dossier"] = ""
        if client in delete:
            data[f"grants-{i}-DELETE"] = "on"
    return data


def test_dossier_with_steps_and_access_then_revoke_R_OFF_1_R_OFF_2_R_DOS_6(admin_client, staff):
    """R-OFF-1/2, R-DOS-6: staff create a dossier with number, description, status, handler,
    progress steps and a grant; the client sees it with "Voortgang (1/2)". Revoking in the admin
    takes effect on the client's next request; both are in the audit trail."""
    status = StatusFactory(name="In behandeling")
    owner = UserFactory(email="eigenaar@example.test")
    response = admin_client.post(
        "/beheer/dossiers/dossier/add/",
        _dossier_form(
            status,
            staff,
            steps=[("Akte opgesteld", True), ("Akte gepasseerd", False)],
            grants=[owner.client],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    dossier = Dossier.objects.get(number="2026.9001")
    assert dossier.handler == staff
    assert [(s.title, s.done) for s in dossier.steps.all()] == [
        ("Akte opgesteld", True),
        ("Akte gepasseerd", False),
    ]
    grant = DossierAccess.objects.get(dossier=dossier, client=owner.client)
    assert grant.granted_by == staff
    assert AuditEntry.objects.filter(action="dossier.access_granted", dossier=dossier).exists()

    client = DjangoClient()
    client.force_login(owner)
    page = client.get(f"/dossiers/{dossier.pk}/")
    assert page.status_code == 200
    assert "Voortgang (1/2)" in page.content.decode()

    form = _dossier_form(
        status, staff, grants=[owner.client], grant_ids=[grant.pk], delete=[owner.client]
    )
    form["steps-TOTAL_FORMS"] = 0
    response = admin_client.post(f"/beheer/dossiers/dossier/{dossier.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not DossierAccess.objects.filter(dossier=dossier).exists()
    assert AuditEntry.objects.filter(action="dossier.access_revoked", dossier=dossier).exists()
    assert client.get(f"/dossiers/{dossier.pk}/").status_code == 404


def test_office_branding_is_edited_in_the_admin_R_ACC_5(admin_client):
    """R-ACC-5: the office's name, colours and sender are set in the admin and show on the
    login page."""
    office = Office.current()
    response = admin_client.post(
        f"/beheer/offices/office/{office.pk}/change/",
        {
            "name": "Notariaat Aan Het Water",
            "website": "",
            "phone": "",
            "email_sender": "info@aanhetwater.test",
            "primary_colour": "#0b5394",
            "accent_colour": "#990000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    login = DjangoClient().get("/inloggen/").content.decode()
    assert "Welkom op het klantenportaal van Notariaat Aan Het Water" in login
    assert "#0b5394" in login
    bad = admin_client.post(
        f"/beheer/offices/office/{office.pk}/change/",
        {"name": "X", "primary_colour": "blue", "accent_colour": "#990000"},
    )
    assert bad.status_code == 200
    assert "#RRGGBB" in bad.content.decode()


def test_staff_home_goes_to_the_workspace_R_OFF_1(admin_client):
    """R-OFF-1: office staff land in the staff workspace, not on a client's home."""
    response = admin_client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/kantoor/"


def test_admin_is_for_staff_only_R_OFF_1(client):
    """Clients cannot enter the admin."""
    client.force_login(UserFactory())
    response = client.get("/beheer/")
    assert response.status_code == 302
    assert "/beheer/login/" in response["Location"]


def test_admin_lists_have_bounded_queries_R_OFF_1(admin_client, django_assert_max_num_queries):
    """The admin's dossier list stays bounded as dossiers grow."""
    company = ClientFactory(company=True)
    for _ in range(30):
        dossier = DossierFactory()
        DossierAccess.objects.create(dossier=dossier, client=company)
    with django_assert_max_num_queries(12):
        assert admin_client.get("/beheer/dossiers/dossier/").status_code == 200


def test_audit_trail_is_readable_not_editable_by_staff_R_X_1(admin_client, staff, run):
    """R-X-1 (the part this foundation has): changes are recorded with who, what, when and from
    where; staff consult them in the admin and cannot change or delete them."""
    run(
        admin_client.post,
        "/beheer/accounts/client/add/",
        {
            "kind": "person",
            "name": "Audit Klant",
            "email": "audit@example.test",
            "language": "nl",
            "send_invitation": "on",
        },
    )
    entry = AuditEntry.objects.get(action="client.created")
    assert entry.actor == staff and entry.actor_label == staff.email
    assert entry.ip_address == "127.0.0.1"
    assert entry.target == "Audit Klant"
    listing = admin_client.get("/beheer/audit/auditentry/")
    assert listing.status_code == 200
    assert "client.created" in listing.content.decode()
    change = admin_client.post(f"/beheer/audit/auditentry/{entry.pk}/change/", {"action": "x"})
    assert change.status_code in (302, 403) and AuditEntry.objects.get(pk=entry.pk).action == (
        "client.created"
    )
    assert admin_client.get(f"/beheer/audit/auditentry/{entry.pk}/delete/").status_code == 403
