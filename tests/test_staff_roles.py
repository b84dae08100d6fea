"""One staff authorization model (R-OFF-1..R-OFF-6): roles decided by ``portal.accounts.roles``
and asked by the workspace, the admin and the API.

The matrices are built from the URL resolver and the admin's registry, so a new workspace page
or a new model admin cannot be left out: daily work (the workspace) is open to handlers and
office administrators alike; the admin (configuration) to office administrators only, where
daily work is read only; the API's token acts with the office's authority for daily work and
configures nothing."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.test import Client as HttpClient
from django.test import RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import roles
from portal.accounts.lockout import office_key
from portal.accounts.models import Client, User
from portal.accounts.roles import Capability, Role
from portal.audit.models import AuditEntry
from portal.documents.models import Document
from portal.dossiers.models import Dossier
from portal.integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint
from portal.messaging import services as message_services
from portal.messaging.models import Message
from portal.notifications.models import OutgoingEmail
from portal.offices.models import DossierStatus, Office
from portal.questionnaires import services as action_services
from portal.questionnaires.models import (
    QuestionnaireTemplate,
    SentQuestionnaire,
    TemplatePage,
    UploadRequest,
)
from portal.retention.models import RetentionRules

from .api_helpers import Api, make_token
from .factories import AdministratorFactory, StaffFactory, UserFactory
from .questionnaire_helpers import standard_template
from .test_workspace_access import GET_NAMES, workspace_urls
from .workspace_helpers import staff_http

pytestmark = pytest.mark.django_db

# What office administrators configure in the admin (add and change).
CONFIGURATION = {
    User,
    Office,
    DossierStatus,
    QuestionnaireTemplate,
    TemplatePage,
    ApiToken,
    WebhookEndpoint,
    RetentionRules,
}
# Daily work done in the workspace, and logs: shown in the admin, never written there.
READ_ONLY = {
    Client,
    Dossier,
    Document,
    Message,
    SentQuestionnaire,
    UploadRequest,
    AuditEntry,
    OutgoingEmail,
    WebhookDelivery,
    AccessAttempt,
    AccessLog,
    AccessFailureLog,
}


def test_the_roles_module_decides_R_OFF_1_R_OFF_6(world):
    """R-OFF-1..6: handlers work; office administrators work and configure; clients, inactive
    staff and anonymous visitors neither; a token works for the office and configures
    nothing, and a revoked one does nothing."""
    handler = StaffFactory(email="h@office.test")
    administrator = AdministratorFactory(email="a@office.test")
    blocked = AdministratorFactory(email="blocked@office.test", is_active=False)
    assert roles.role_of(handler) == Role.HANDLER
    assert roles.role_of(administrator) == Role.ADMINISTRATOR
    for capability in Capability:
        assert roles.can(administrator, capability)
        assert roles.can(handler, capability) == (capability != Capability.CONFIGURE)
        for nobody in (world.owner, world.company_extra, blocked, None):
            assert not roles.can(nobody, capability)
    superuser_handler = StaffFactory(email="su@office.test", is_superuser=True)
    assert not roles.can(superuser_handler, Capability.CONFIGURE)  # the role decides
    token, _raw = make_token(handler)
    assert roles.token_can(token, Capability.WORK)
    assert not roles.token_can(token, Capability.CONFIGURE)
    token.revoke()
    assert not roles.token_can(token, Capability.WORK)


@pytest.mark.parametrize("role", [Role.HANDLER, Role.ADMINISTRATOR])
def test_every_workspace_route_is_open_to_both_roles_R_OFF_1_R_OFF_5(world, role):
    """R-OFF-1..5: daily work: every workspace URL answers a handler and an office
    administrator (GET pages 200; POST-only actions pass the gate: no 403 or 404)."""
    http = staff_http(StaffFactory(email="role@office.test", staff_role=role))
    question = message_services.send_message(
        dossier=world.person_dossier, sender=world.owner, subject="Vraag", body="?"
    )
    urls = [
        (
            name,
            f"/kantoor/berichten/{question.pk}/afgehandeld/" if name == "message_handled" else path,
        )
        for name, path in workspace_urls(world)
    ]
    # The account's removal last: the other account actions need it.
    urls.sort(key=lambda pair: pair[0] == "account_remove")
    refused = []
    for name, path in urls:
        if name in GET_NAMES:
            response = http.get(path)
            ok = response.status_code == 200 or (
                name == "setup_2fa" and response.status_code == 302
            )
        else:
            response = http.post(path)
            ok = response.status_code < 500 and response.status_code not in (403, 404)
        if not ok:
            refused.append((name, path, response.status_code))
    assert refused == []


def admin_objects(world) -> dict[type, object]:
    """One object of every model registered in the admin."""
    action_services.send_questionnaire(
        template=standard_template(), dossier=world.person_dossier, client=world.owner.client
    )
    action_services.request_upload(
        dossier=world.person_dossier, client=world.owner.client, title_nl="ID"
    )
    make_token(world.staff)
    endpoint = WebhookEndpoint.objects.create(office=Office.current(), url="https://x.test/h")
    WebhookDelivery.objects.create(endpoint=endpoint, event="message.sent", payload={})
    from portal.accounts import services as account_services

    account_services.invite_user(user=world.company_extra)
    # Counted at this office: the name carries it (R-TEN-3, accounts.lockout.office_key).
    attempt = {"user_agent": "x", "ip_address": "10.0.0.1", "username": office_key("a@b.test")}
    AccessAttempt.objects.create(**attempt, get_data="", post_data="", failures_since_start=1)
    AccessLog.objects.create(**attempt)
    AccessFailureLog.objects.create(**attempt)
    request = RequestFactory().get("/")
    request.user = world.staff
    found = {}
    for model, model_admin in admin.site._registry.items():
        found[model] = model_admin.get_queryset(request).order_by("pk").first()
        assert found[model] is not None, model
    return found


def admin_urls(world) -> list[tuple[type, str, str]]:
    """(model, kind, path) for the changelist, the add page and an object's change page of
    every registered model admin."""
    urls = []
    for model, obj in admin_objects(world).items():
        info = (model._meta.app_label, model._meta.model_name)
        urls.append((model, "changelist", reverse("admin:{}_{}_changelist".format(*info))))
        urls.append((model, "add", reverse("admin:{}_{}_add".format(*info))))
        urls.append((model, "change", reverse("admin:{}_{}_change".format(*info), args=[obj.pk])))
    return urls


def test_every_registered_model_is_configuration_or_read_only_R_OFF_1():
    """R-OFF-1: a new model admin has to be placed: configured here, or only shown."""
    assert set(admin.site._registry) == CONFIGURATION | READ_ONLY
    assert not CONFIGURATION & READ_ONLY


def test_the_admin_matrix_administrator_R_OFF_1_R_OFF_5_R_OFF_6(world):
    """R-OFF-1, R-OFF-5, R-OFF-6: an office administrator (second factor passed) sees every
    list and object; may add what is configuration (one office: no second one), nothing that
    is daily work or a log."""
    http = staff_http(AdministratorFactory(email="beheerder@office.test"))
    wrong = []
    for model, kind, path in admin_urls(world):
        status = http.get(path).status_code
        if kind == "add":
            # One row per office (the office, its retention periods): none added.
            one_per_office = model in (Office, RetentionRules)
            expected = 200 if model in CONFIGURATION and not one_per_office else 403
        else:
            expected = 200
        if status != expected:
            wrong.append((model.__name__, kind, path, status, expected))
    assert wrong == []


def _browsers(world) -> dict[str, tuple[HttpClient, str]]:
    unverified = StaffFactory(email="unverified@office.test")
    TOTPDevice.objects.create(user=unverified, name="app", confirmed=True)
    unverified_admin = AdministratorFactory(email="no2fa-admin@office.test")
    client_http = HttpClient()
    client_http.force_login(world.owner)
    return {
        "anonymous": (HttpClient(), None),
        "client account": (client_http, "/inloggen/"),
        "administrator without two-step verification": (
            staff_http(unverified_admin, verified=False),
            "/kantoor/verificatie/",
        ),
        "staff, session not verified": (staff_http(unverified, verified=False), 403),
        "handler": (staff_http(StaffFactory(email="behandelaar@office.test")), 403),
    }


def test_the_admin_matrix_refuses_everyone_else_R_OFF_1_R_X_2(world):
    """R-OFF-1, R-X-2: every admin URL (GET and POST) × anonymous, a client, staff without a
    verified second factor and a handler: each is sent to the admin's login, which sends the
    visitor to log in, staff to the second factor, and answers a handler 403 ("for office
    administrators", with the way to the workspace); nothing changes."""
    urls = admin_urls(world)
    browsers = _browsers(world)
    before = AuditEntry.objects.exclude(action="request.denied").count()
    objects_before = {model: model._default_manager.count() for model in CONFIGURATION}
    leaks = []
    for role, (http, outcome) in browsers.items():
        for model, kind, path in urls:
            for method in (http.get, http.post):
                response = method(path)
                location = response.get("Location", "")
                # The portal's login middleware sends a visitor to the login before the admin.
                first = "/inloggen/" if outcome is None else "/beheer/login/"
                if response.status_code != 302 or not location.startswith(first):
                    leaks.append((role, model.__name__, kind, response.status_code, location))
                    continue
        login = http.get(f"/beheer/login/?next={urls[0][2]}")
        if outcome is None:
            ok = login.status_code == 302 and login["Location"].startswith("/inloggen/")
        elif outcome == 403:
            ok = login.status_code == 403
            if role == "handler":
                page = login.content.decode()
                ok = ok and "Voor kantoorbeheerders" in page and "/kantoor/" in page
        else:
            ok = login.status_code == 302 and login["Location"].startswith(outcome)
        if not ok:
            leaks.append((role, "login", login.status_code, login.get("Location")))
    assert leaks == []
    assert AuditEntry.objects.exclude(action="request.denied").count() == before
    assert {m: m._default_manager.count() for m in CONFIGURATION} == objects_before


def test_the_admin_index_shows_a_handler_nothing_R_OFF_1(world):
    """R-OFF-1: a handler who follows a link to /beheer/ ends on the explanation, not in the
    admin."""
    http = staff_http(StaffFactory(email="behandelaar@office.test"))
    response = http.get("/beheer/", follow=True)
    assert response.status_code == 403
    assert response.redirect_chain[-1][0].startswith("/beheer/login/")
    assert "Naar de kantoorwerkplek" in response.content.decode()


def test_the_api_token_works_for_the_office_and_configures_nothing_R_OFF_6(world):
    """R-OFF-6: a token acts with the office's authority whatever its staff member's role: it
    reads the daily work; configuration reached through the API (statuses, questionnaire
    templates) is read only, and a staff session is no way into the API's operations."""
    for acting in (StaffFactory(email="h@office.test"), AdministratorFactory()):
        _token, raw = make_token(acting, name=f"Koppeling {acting.pk}")
        api = Api(raw)
        assert api.get("/api/v1/dossiers/").status_code == 200
        for path in ("/api/v1/statuses/", "/api/v1/questionnaire-templates/"):
            assert api.get(path).status_code == 200
            assert api.post(path, {"name": "Nieuw"}).status_code == 405
    administrator_session = staff_http(AdministratorFactory(email="sessie@office.test"))
    assert administrator_session.get("/api/v1/dossiers/").status_code == 401


@pytest.mark.parametrize("role", [Role.HANDLER, Role.ADMINISTRATOR])
def test_the_api_docs_ask_the_same_check_R_OFF_6(role):
    """R-OFF-6: the API's documentation pages in a staff session: both roles, second factor
    passed (``Capability.READ_API_DOCS``)."""
    http = staff_http(StaffFactory(email="docs@office.test", staff_role=role))
    assert http.get("/api/schema/?format=json").status_code == 200
    assert http.get("/api/docs/").status_code == 200


# --- The same action, the same audit names --------------------------------------------------


def _codes(since: int) -> list[str]:
    return list(
        AuditEntry.objects.filter(pk__gt=since)
        .exclude(action__in=["request.denied", "login.succeeded"])
        .order_by("pk")
        .values_list("action", flat=True)
    )


def _last() -> int:
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_admin_and_workspace_record_the_same_audit_codes_R_OFF_1_R_X_1(world, run):
    """R-OFF-1, R-X-1, R-ME-4: blocking, unblocking, inviting and removing a company's extra
    account from the workspace (a handler) and from the admin (an office administrator) go
    through the same services and leave the same audit codes."""
    company = world.company_main.client
    in_workspace = world.company_extra
    in_admin = UserFactory(email="extra2@company.test", client=company, is_main_account=False)
    workspace = staff_http(world.staff)
    administrator = staff_http(AdministratorFactory(email="beheerder@office.test"))
    base = f"/kantoor/klanten/{company.pk}/accounts/{in_workspace.pk}"

    def admin_change(account, active: bool):
        form = {"email": account.email, "full_name": account.full_name, "language": "nl"}
        if active:
            form["is_active"] = "on"
        return administrator.post(f"/beheer/accounts/user/{account.pk}/change/", form)

    steps = [
        (
            lambda: workspace.post(f"{base}/blokkeren/", {"blocked": "1"}),
            lambda: admin_change(in_admin, active=False),
        ),
        (
            lambda: workspace.post(f"{base}/blokkeren/", {"blocked": "0"}),
            lambda: admin_change(in_admin, active=True),
        ),
        (
            lambda: workspace.post(f"{base}/uitnodigen/"),
            lambda: administrator.post(
                "/beheer/accounts/user/",
                {"action": "send_invitation", "_selected_action": [in_admin.pk]},
            ),
        ),
        (
            lambda: workspace.post(f"{base}/verwijderen/"),
            lambda: administrator.post(
                f"/beheer/accounts/user/{in_admin.pk}/delete/", {"post": "yes"}
            ),
        ),
    ]
    for from_workspace, from_admin in steps:
        mark = _last()
        assert run(from_workspace).status_code == 302
        workspace_codes = _codes(mark)
        mark = _last()
        assert run(from_admin).status_code == 302
        admin_codes = _codes(mark)
        assert workspace_codes and workspace_codes == admin_codes
    assert not User.objects.filter(pk__in=[in_workspace.pk, in_admin.pk]).exists()


def test_every_configuration_write_in_the_admin_is_audited_R_OFF_1_R_OFF_5_R_OFF_6(run):
    """R-OFF-1, R-OFF-5, R-OFF-6, R-X-1: what office administrators configure in the admin
    (branding, statuses, questionnaire templates, API tokens, webhooks) goes through the
    services and is in the audit trail with the administrator as the actor."""
    administrator = AdministratorFactory(email="beheerder@office.test")
    http = staff_http(administrator)
    office = Office.current()
    steps = [
        (
            f"/beheer/offices/office/{office.pk}/change/",
            {
                "name": "Notariaat Aan Het Water",
                "email_sender": "info@aanhetwater.test",
                "primary_colour": "#0b5394",
                "accent_colour": "#990000",
            },
            "office.changed",
        ),
        (
            "/beheer/offices/dossierstatus/add/",
            {"name": "Wacht op stukken", "name_en": "Waiting", "position": 3},
            "status.created",
        ),
        (
            "/beheer/questionnaires/questionnairetemplate/add/",
            {
                "title_nl": "Intake",
                "title_en": "Intake",
                "pages-TOTAL_FORMS": 0,
                "pages-INITIAL_FORMS": 0,
            },
            "questionnaire_template.created",
        ),
        (
            "/beheer/api/apitoken/add/",
            {"name": "Koppeling", "acting_user": administrator.pk},
            "api.token_created",
        ),
        (
            "/beheer/api/webhookendpoint/add/",
            {"url": "https://ontvanger.test/hook", "active": "on", "events": "[]"},
            "api.webhook_created",
        ),
    ]
    periods = RetentionRules.objects.get_or_create()[0]
    steps.append(
        (
            f"/beheer/retention/retentionrules/{periods.pk}/change/",
            {
                "correspondence_months": 24,
                "documents_months": 24,
                "supplied_months": 2,
                "messages_months": 12,
                "answers_months": 6,
            },
            "retention.rules_changed",
        )
    )
    for path, data, code in steps:
        response = run(http.post, path, data)
        assert response.status_code == 302, (path, response.content.decode()[:2000])
        assert AuditEntry.objects.filter(action=code, actor=administrator).count() == 1, code
    status = DossierStatus.objects.get(name="Wacht op stukken")
    response = http.post(f"/beheer/offices/dossierstatus/{status.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="status.deleted", target="Wacht op stukken").exists()


def test_the_migration_makes_former_admin_users_administrators_R_OFF_1():
    """R-OFF-1: on upgrade, superusers and staff holding admin permissions (their own or a
    group's) become office administrators; other staff stay handlers; clients are untouched."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    migration = importlib.import_module("portal.accounts.migrations.0004_staff_role")
    permission = Permission.objects.get(codename="change_office")
    group = Group.objects.create(name="Beheer")
    group.permissions.add(permission)
    superuser = StaffFactory(email="su@office.test", is_superuser=True)
    own_permission = StaffFactory(email="perm@office.test")
    own_permission.user_permissions.add(permission)
    in_group = StaffFactory(email="group@office.test")
    in_group.groups.add(group)
    plain = StaffFactory(email="plain@office.test")
    client = UserFactory(email="klant@example.test", is_superuser=True)
    migration.assign_roles(apps, None)
    roles_now = dict(User.objects.values_list("email", "staff_role"))
    assert roles_now == {
        superuser.email: Role.ADMINISTRATOR,
        own_permission.email: Role.ADMINISTRATOR,
        in_group.email: Role.ADMINISTRATOR,
        plain.email: Role.HANDLER,
        client.email: Role.HANDLER,
    }


def test_only_the_roles_module_reads_the_staff_flag_R_OFF_1():
    """R-OFF-1: who is office staff is decided in ``portal.accounts.roles`` alone; the pages,
    services and the API ask it (``is_staff_member``, ``can``) instead of reading
    ``User.is_staff`` themselves. The admin's staff-account form may read the flag of the
    account it edits."""
    import re
    from pathlib import Path

    package = Path(roles.__file__).resolve().parent.parent
    allowed = {package / "accounts" / "roles.py", package / "adminsite" / "accounts.py"}
    readers = [
        f"{path.relative_to(package)}:{number}"
        for path in package.rglob("*.py")
        if "migrations" not in path.parts and path not in allowed
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if re.search(r"\.is_staff\b", line)
    ]
    assert readers == []


@pytest.mark.parametrize("role", [Role.HANDLER, Role.ADMINISTRATOR])
def test_the_workspace_menu_links_the_configuration_for_administrators_only_R_OFF_1(world, role):
    """R-OFF-1: an office administrator reaches the office's configuration (/beheer/) from the
    workspace menu; a handler's menu does not offer what would be refused."""
    http = staff_http(StaffFactory(email="menu@office.test", staff_role=role))
    page = http.get(reverse("workspace:inbox")).content.decode()
    link = f'href="{reverse("admin:index")}">Kantoorinstellingen</a>'
    assert (link in page) is (role == Role.ADMINISTRATOR)
