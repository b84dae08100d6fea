"""The hosting administrators' site (R-TEN-4): on HOSTING_HOSTS only, across offices, for an
account of no office that passed its authenticator code; never on an office's host name, and
never reachable with an office's account."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import User
from portal.core import tenancy
from portal.offices.models import Office, OfficeHost

from .factories import AdministratorFactory, ClientFactory, DossierFactory

pytestmark = pytest.mark.django_db

HOSTING = "hosting.example"


@pytest.fixture(autouse=True)
def hosting_host(settings):
    settings.HOSTING_HOSTS = [HOSTING]
    settings.OFFICE_FALLBACK = False


def make_office(name: str, host: str, dossiers: int = 1) -> Office:
    with tenancy.cross_office():
        office = Office.objects.create(name=name)
        OfficeHost.objects.create(office=office, name=host, primary=True)
    with tenancy.office_scope(office):
        ClientFactory()
        for _ in range(dossiers):
            DossierFactory()
    return office


def hosting_admin(email: str = "host@hosting.example") -> tuple[User, str]:
    out = io.StringIO()
    call_command("hosting_admin", email, stdout=out)
    password = re.search(r"Password \(shown once\): (\S+)", out.getvalue()).group(1)
    with tenancy.cross_office():
        user = User.objects.get(email=email, office__isnull=True)
    return user, password


def code_for(user: User) -> str:
    with tenancy.cross_office():
        device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def log_in(http: HttpClient, user: User, password: str, host: str = HOSTING):
    with tenancy.cross_office():
        device = TOTPDevice.objects.get(user=user)
    return http.post(
        "/hosting/login/",
        {
            "username": user.email,
            "password": password,
            "otp_device": device.persistent_id,
            "otp_token": code_for(user),
        },
        HTTP_HOST=host,
    )


def test_a_hosting_administrator_sees_every_office_with_its_usage_R_TEN_4():
    make_office("Notariaat Noord", "noord.example", dossiers=2)
    make_office("Notariaat Zuid", "zuid.example", dossiers=3)
    user, password = hosting_admin()
    assert user.office_id is None and user.is_superuser
    http = HttpClient()
    response = log_in(http, user, password)
    assert response.status_code == 302, response.content.decode()[:500]
    page = http.get("/hosting/offices/office/", HTTP_HOST=HOSTING).content.decode()
    assert "Notariaat Noord" in page and "Notariaat Zuid" in page
    assert "noord.example" in page and "zuid.example" in page
    assert re.search(r"Notariaat Zuid.*?<td class=\"field-dossiers\">3</td>", page, re.S)


def test_the_password_alone_does_not_open_the_hosting_site_R_TEN_4():
    user, password = hosting_admin()
    http = HttpClient()
    response = http.post(
        "/hosting/login/", {"username": user.email, "password": password}, HTTP_HOST=HOSTING
    )
    assert response.status_code == 200  # the form again, with an error
    assert http.get("/hosting/", HTTP_HOST=HOSTING).status_code == 302  # to the login


def test_the_hosting_site_is_on_no_office_host_and_no_office_page_on_its_host_R_TEN_4():
    make_office("Notariaat Noord", "noord.example")
    assert HttpClient().get("/hosting/login/", HTTP_HOST="noord.example").status_code == 404
    assert HttpClient().get("/inloggen/", HTTP_HOST=HOSTING).status_code == 404
    assert HttpClient().get("/inloggen/", HTTP_HOST="noord.example").status_code == 200


def test_an_offices_administrator_cannot_use_the_hosting_site_R_TEN_2_R_TEN_4():
    office = make_office("Notariaat Noord", "noord.example")
    with tenancy.office_scope(office):
        administrator = AdministratorFactory(email="beheer@noord.example", is_superuser=True)
        administrator.set_password("een lang wachtwoord 123")
        administrator.save()
        device = TOTPDevice.objects.create(user=administrator, name="app", confirmed=True)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    http = HttpClient()
    response = http.post(
        "/hosting/login/",
        {
            "username": administrator.email,
            "password": "een lang wachtwoord 123",
            "otp_device": device.persistent_id,
            "otp_token": code,
        },
        HTTP_HOST=HOSTING,
    )
    assert response.status_code == 200  # not found across offices: the form again
    assert http.get("/hosting/", HTTP_HOST=HOSTING).status_code == 302


def test_a_hosting_administrator_has_no_account_at_an_office_R_TEN_3():
    make_office("Notariaat Noord", "noord.example")
    user, password = hosting_admin()
    http = HttpClient()
    response = http.post(
        "/inloggen/", {"username": user.email, "password": password}, HTTP_HOST="noord.example"
    )
    assert response.status_code == 200  # the login form again: no such account there
    assert "_auth_user_id" not in http.session


def test_the_office_list_has_a_fixed_query_count_as_offices_grow_R_TEN_4():
    user, password = hosting_admin()
    http = HttpClient()
    log_in(http, user, password)
    counts = []
    for n in (1, 6):
        while Office.objects.count() < n:
            index = Office.objects.count()
            make_office(f"Kantoor {index}", f"kantoor{index}.example", dossiers=index % 3)
        with CaptureQueriesContext(connection) as queries:
            assert http.get("/hosting/offices/office/", HTTP_HOST=HOSTING).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_hosting_login_refuses_a_post_without_csrf_token_R_TEN_4():
    user, password = hosting_admin()
    http = HttpClient(enforce_csrf_checks=True)
    http.get("/hosting/login/", HTTP_HOST=HOSTING)  # the CSRF cookie, as a browser has it
    response = http.post(
        "/hosting/login/", {"username": user.email, "password": password}, HTTP_HOST=HOSTING
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in http.session
