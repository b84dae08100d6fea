"""The admin is the office administrators' configuration (R-OFF-1, R-OFF-2, R-ACC-5): staff
accounts and their roles, branding; daily work (clients, dossiers) is read only here. Every
write goes through the services, so the audit trail follows with the workspace's names."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient
from django.utils.html import escape

from portal.accounts.models import Client, User
from portal.audit.models import AuditEntry
from portal.dossiers.models import DossierAccess
from portal.offices.models import Office

from .factories import ClientFactory, DossierFactory, StaffFactory, UserFactory
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


def test_administrator_adds_a_staff_member_who_is_invited_R_OFF_1(
    admin_client, staff, run, mailoutbox
):
    """R-OFF-1: an office administrator adds a staff member with a role; the account has no
    password, the invitation goes out, both recorded with the workspace's audit names."""
    response = run(
        admin_client.post,
        "/beheer/accounts/user/add/",
        {
            "email": "Nieuw@Office.test",
            "full_name": "Nieuwe Medewerker",
            "language": "nl",
            "staff_role": "handler",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="nieuw@office.test")
    assert user.is_staff and user.client_id is None and user.staff_role == "handler"
    assert not user.has_usable_password()
    assert [m.to for m in mailoutbox] == [["nieuw@office.test"]]
    assert AuditEntry.objects.filter(action="account.added", actor=staff).exists()
    assert AuditEntry.objects.filter(action="account.invited", actor=staff).exists()


def test_adding_a_staff_member_refuses_a_taken_address_R_OFF_1(admin_client, mailoutbox):
    """R-OFF-1: an address that already has an account gets a clear message; nothing is made."""
    UserFactory(email="bestaat@example.test")
    response = admin_client.post(
        "/beheer/accounts/user/add/",
        {"email": "BESTAAT@example.test", "language": "nl", "staff_role": "handler"},
    )
    assert response.status_code == 200
    assert User.objects.filter(email__iexact="bestaat@example.test").count() == 1
    assert mailoutbox == []


def test_role_and_blocking_go_through_the_services_R_OFF_1(admin_client, staff):
    """R-OFF-1: making a handler an office administrator and blocking an account in the admin
    are recorded ("account.role_changed", "account.blocked" as in the workspace); a blocked
    account's sessions end."""
    handler = StaffFactory(email="behandelaar@office.test")
    handler_http = DjangoClient()
    handler_http.force_login(handler)
    form = {
        "email": handler.email,
        "full_name": handler.full_name,
        "language": "nl",
        "is_active": "on",
        "staff_role": "administrator",
    }
    url = f"/beheer/accounts/user/{handler.pk}/change/"
    response = admin_client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    handler.refresh_from_db()
    assert handler.staff_role == "administrator"
    entry = AuditEntry.objects.get(action="account.role_changed")
    assert entry.actor == staff and entry.data == {"before": "handler", "after": "administrator"}
    del form["is_active"]
    assert admin_client.post(url, form).status_code == 302
    handler.refresh_from_db()
    assert not handler.is_active
    assert AuditEntry.objects.filter(action="account.blocked", actor=staff).exists()
    assert "_auth_user_id" not in handler_http.session
    assert not AuditEntry.objects.filter(action="account.changed").exists()


def test_clients_and_dossiers_are_read_only_in_the_admin_R_OFF_1_R_OFF_2(admin_client, staff):
    """R-OFF-1/2: clients, dossiers with their steps and grants are daily work, done in the
    workspace; the admin shows them and refuses to add or change them."""
    owner = UserFactory(email="eigenaar@example.test")
    dossier = DossierFactory()
    DossierAccess.objects.create(dossier=dossier, client=owner.client)
    client_page = admin_client.get(f"/beheer/accounts/client/{owner.client_id}/change/")
    assert client_page.status_code == 200 and owner.email in client_page.content.decode()
    dossier_page = admin_client.get(f"/beheer/dossiers/dossier/{dossier.pk}/change/")
    # The name as the page writes it (escaped: a generated name may hold an apostrophe).
    assert dossier_page.status_code == 200 and escape(owner.client.name) in (
        dossier_page.content.decode()
    )
    assert admin_client.get("/beheer/accounts/client/add/").status_code == 403
    assert admin_client.get("/beheer/dossiers/dossier/add/").status_code == 403
    response = admin_client.post(
        f"/beheer/dossiers/dossier/{dossier.pk}/change/",
        {"number": "X", "description": "Y", "status": dossier.status_id},
    )
    assert response.status_code == 403
    dossier.refresh_from_db()
    assert dossier.number != "X"
    assert not Client.objects.exclude(pk=owner.client_id).exists()


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
        "/beheer/accounts/user/add/",
        {"email": "audit@office.test", "language": "nl", "staff_role": "handler"},
    )
    entry = AuditEntry.objects.get(action="account.added")
    assert entry.actor == staff and entry.actor_label == staff.email
    assert entry.ip_address == "127.0.0.1"
    assert entry.target == "audit@office.test"
    listing = admin_client.get("/beheer/audit/auditentry/")
    assert listing.status_code == 200
    assert "account.added" in listing.content.decode()
    change = admin_client.post(f"/beheer/audit/auditentry/{entry.pk}/change/", {"action": "x"})
    assert change.status_code in (302, 403) and AuditEntry.objects.get(pk=entry.pk).action == (
        "account.added"
    )
    assert admin_client.get(f"/beheer/audit/auditentry/{entry.pk}/delete/").status_code == 403
