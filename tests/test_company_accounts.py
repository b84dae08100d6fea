"""Company accounts (R-ME-4): under "Accounts" → "Extra accounts" a company's main account adds
an extra account (which gets the invitation flow), views and deletes it; deleting ends its access
and its sessions at once. Extra accounts see the company's dossiers but manage no accounts."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient

from portal.accounts import services
from portal.accounts.models import User
from portal.audit.models import AuditEntry

from .mail import links, path_of
from .workspace_helpers import verify_second_factor

pytestmark = pytest.mark.django_db


def account_urls(extra: User) -> list[str]:
    return [
        "/mijn-gegevens/accounts/",
        "/mijn-gegevens/accounts/nieuw/",
        f"/mijn-gegevens/accounts/{extra.pk}/",
        f"/mijn-gegevens/accounts/{extra.pk}/verwijderen/",
    ]


def logged_in(user) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    if user.is_staff:
        verify_second_factor(http)  # the admin needs the second factor
    return http


def test_only_the_main_account_manages_accounts_R_ME_4(world):
    """R-ME-4: every account page × every role: 200 for the company's main account only; 404 for
    the extra account, other clients and staff; anonymous visitors go to the login page. The
    main account of another company cannot reach this company's extra account."""
    pages = account_urls(world.company_extra)
    for role, user in world.roles().items():
        http = logged_in(user) if user else HttpClient()
        for url in pages:
            response = http.get(url)
            if role == "company main account":
                assert response.status_code == 200, (role, url)
            elif role == "anonymous":
                assert response.status_code == 302, (role, url)
                assert response["Location"].startswith("/inloggen/")
            else:
                assert response.status_code == 404, (role, url)
                assert world.company_extra.email not in response.content.decode()
        # POST is refused too (no deletion by anyone else).
        if role != "company main account":
            http.post(f"/mijn-gegevens/accounts/{world.company_extra.pk}/verwijderen/")
            assert User.objects.filter(pk=world.company_extra.pk).exists(), role
    # "Accounts" appears on Mijn gegevens for the main account only.
    assert "Extra accounts" in logged_in(world.company_main).get("/mijn-gegevens/").content.decode()
    assert (
        "Extra accounts"
        not in logged_in(world.company_extra).get("/mijn-gegevens/").content.decode()
    )


def test_add_view_and_delete_an_extra_account_R_ME_4(world, run, mailoutbox, settings):
    """R-ME-4: add (name, e-mail → invitation), follow the invitation, see the company's
    dossiers, view it, delete it: the extra account's session ends at once."""
    main = logged_in(world.company_main)
    response = run(
        main.post,
        "/mijn-gegevens/accounts/nieuw/",
        {"full_name": "Piet Boekhouder", "email": "piet@company.test", "language": "nl"},
    )
    assert response.status_code == 302
    piet = User.objects.get(email="piet@company.test")
    assert piet.client == world.company_main.client and not piet.is_main_account
    assert AuditEntry.objects.filter(action="account.added", actor=world.company_main).exists()
    # A duplicate address is refused with a message by the field.
    again = main.post(
        "/mijn-gegevens/accounts/nieuw/",
        {"full_name": "X", "email": "PIET@company.test", "language": "nl"},
    )
    assert "bestaat al" in again.content.decode()

    # The invitation flow: confirm the address, set the password, see the company's dossier.
    invitation = [link for link in links(mailoutbox[-1].body) if "/welkom/" in link][0]
    piet_http = HttpClient()
    piet_http.get(path_of(invitation))
    run(piet_http.post, "/welkom/", {"email": "piet@company.test"})
    password_link = [link for link in links(mailoutbox[-1].body) if "/wachtwoord/" in link][0]
    piet_http.get(path_of(password_link))
    response = piet_http.post(
        "/wachtwoord/nieuw/",
        {"new_password1": "Zonnebloem-42", "new_password2": "Zonnebloem-42"},
    )
    assert response["Location"] == "/mijn-gegevens/"
    dossier = world.company_dossier
    assert piet_http.get(f"/dossiers/{dossier.pk}/").status_code == 200
    assert piet_http.get("/mijn-gegevens/accounts/").status_code == 404

    # The main account views and deletes it.
    detail = main.get(f"/mijn-gegevens/accounts/{piet.pk}/").content.decode()
    assert "Piet Boekhouder" in detail and "piet@company.test" in detail
    sessions_before = Session.objects.count()
    response = main.post(f"/mijn-gegevens/accounts/{piet.pk}/verwijderen/")
    assert response.status_code == 302
    assert not User.objects.filter(pk=piet.pk).exists()
    assert Session.objects.count() == sessions_before - 1
    assert AuditEntry.objects.filter(action="account.removed").exists()

    # Its session has ended: the very next request is anonymous.
    response = piet_http.get(f"/dossiers/{dossier.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/inloggen/")
    # The main account is unaffected.
    assert main.get(f"/dossiers/{dossier.pk}/").status_code == 200


def test_main_account_cannot_be_removed_this_way_R_ME_4(world):
    """R-ME-4: only extra accounts are deleted here; a person's account is no extra account."""
    for user in (world.company_main, world.owner):
        with pytest.raises(ValueError):
            services.remove_account(account=user)


def test_staff_delete_an_extra_account_in_the_admin_R_ME_4(world, admin_client):
    """R-ME-4: staff manage the same in the admin; deleting there ends the sessions too."""
    extra = world.company_extra
    extra_http = logged_in(extra)
    assert extra_http.get(f"/dossiers/{world.company_dossier.pk}/").status_code == 200
    client_page = admin_client.get(f"/beheer/accounts/client/{extra.client_id}/change/")
    assert extra.email in client_page.content.decode()
    response = admin_client.post(f"/beheer/accounts/user/{extra.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=extra.pk).exists()
    assert extra_http.get(f"/dossiers/{world.company_dossier.pk}/").status_code == 302
