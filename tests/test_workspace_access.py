"""The access matrix of the staff workspace (R-OFF-1..5, R-X-2, R-DOS-6): every /kantoor/ URL
× every role. Anonymous → the login page; every client role → 404; staff without two-step
verification → sent to set it up; staff with it but a session that did not pass it → 403;
verified staff → 200 (GET pages). POST-only URLs are tried with POST by the refused roles
and must change nothing. The number of leaks must be 0."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.test import Client as HttpClient
from django.urls import URLPattern, get_resolver
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from PIL import Image

from portal.audit.models import AuditEntry
from portal.documents import previews, rendering
from portal.documents import services as document_services
from portal.documents.models import Document
from portal.messaging.models import Message
from portal.questionnaires import services as action_services
from portal.questionnaires.models import Action

from .factories import StaffFactory
from .workspace_helpers import staff_http

# The workspace pages that answer GET; the others are POST-only actions.
GET_NAMES = {
    "inbox",
    "setup_2fa",
    "search",
    "download",
    "preview",
    "preview_page",
    "action",
    "dossiers",
    "dossier_new",
    "dossier",
    "audit",
    "message_new",
    "message",
    "clients",
    "client_new",
    "client",
    "client_audit",
    "client_erase",
}


def workspace_urls(world) -> list[tuple[str, str]]:
    """Every workspace URL pattern, filled in with objects of ``world``."""
    from portal.workspace import urls

    dossier = world.person_dossier
    message = Message.objects.filter(dossier=dossier).first()
    document = Document.objects.filter(dossier=dossier, kind="supplied").first()
    action = action_services.request_upload(
        dossier=dossier, client=world.owner.client, title_nl="ID"
    )
    Action.objects.filter(pk=action.pk).update(status="completed", completed_at=timezone.now())
    company = world.company_main.client
    # R-SIG-3: the viewer and its page image are tried on a rendered photo.
    image = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 160)).save(image, "PNG")
    photo = document_services.publish_document(
        dossier=dossier,
        kind="document",
        title="Foto",
        file=ContentFile(image.getvalue(), name="foto.png"),
    )
    preview = previews.preview_for(photo)
    assert preview is not None
    rendering.render(preview.pk)
    values = {
        "pk": dossier.pk,
        "msg_id": message.pk,
        "doc_id": document.pk,
        "action_id": action.pk,
        "client_id": world.owner.client_id,
        "user_id": world.company_extra.pk,
        "page": 1,
    }
    result = []
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        kwargs = {}
        for key in pattern.pattern.converters:
            kwargs[key] = values[key]
        if pattern.name.startswith("preview"):
            kwargs["doc_id"] = photo.pk
        if pattern.name.startswith(("account_", "invite")) or pattern.name in (
            "client",
            "client_audit",
            "client_erase",
        ):
            kwargs["pk"] = company.pk
        path = "/kantoor/" + route
        for key, value in kwargs.items():
            path = path.replace(f"<int:{key}>", str(value))
        result.append((pattern.name, path))
    assert len(result) == len(urls.urlpatterns)
    get_resolver()  # all resolved
    return result


@pytest.mark.django_db
def test_workspace_access_matrix_R_OFF_1_R_X_2(world, capsys):
    urls = workspace_urls(world)
    staff_2fa = StaffFactory(email="verified-device@office.test")
    TOTPDevice.objects.create(user=staff_2fa, name="app", confirmed=True)
    browsers: dict[str, tuple[HttpClient, str]] = {}
    for role, user in world.roles().items():
        if role == "staff":
            continue
        http = HttpClient()
        if user is not None:
            http.force_login(user)
        browsers[role] = (http, "anonymous" if user is None else "client")
    browsers["staff without 2FA"] = (staff_http(world.staff, verified=False), "no2fa")
    browsers["staff, session not verified"] = (staff_http(staff_2fa, verified=False), "unverified")
    browsers["staff with 2FA"] = (staff_http(StaffFactory(email="ok@office.test")), "ok")

    leaks, combinations = [], 0
    for name, path in urls:
        for role, (http, kind) in browsers.items():
            if kind == "ok" and name not in GET_NAMES:
                continue  # the flows in test_workspace.py post to these
            combinations += 1
            before = AuditEntry.objects.exclude(action="request.denied").count()
            denials_before = AuditEntry.objects.filter(action="request.denied").count()
            method = http.get if name in GET_NAMES else http.post
            response = method(path)
            status = response.status_code
            location = response.get("Location", "")
            if kind == "anonymous":
                ok = status == 302 and location.startswith("/inloggen/")
            elif kind == "client":
                ok = status == 404
            elif kind == "no2fa":
                ok = (status == 302 and location == "/kantoor/verificatie/") or (
                    name == "setup_2fa" and status == 200
                )
            elif kind == "unverified":
                ok = status == 403 or (name == "setup_2fa" and status == 302)
            else:
                ok = status == 200 or (name == "setup_2fa" and status == 302)
            if kind != "ok" and (
                AuditEntry.objects.exclude(action="request.denied").count() != before
            ):
                ok = False  # a refused role changed something
            # A refusal (403, or 404 for a signed-in user) is one denial in the audit trail.
            denied = status in (403, 404)
            recorded = AuditEntry.objects.filter(action="request.denied").count() - denials_before
            if recorded != (1 if denied else 0):
                ok = False
            if not ok:
                leaks.append((role, name, path, status, location))
    with capsys.disabled():
        print(f"\nworkspace access matrix: {combinations} combinations, {len(leaks)} leaks")
    assert leaks == []


def test_the_admin_needs_the_second_factor_too_R_X_2(db):
    """The admin (/beheer/) is no way around two-step verification: its login page sends a
    visitor to the portal's login (password, then code), a staff member without a second factor
    to set one up, one whose session skipped it to log in again; its own password form logs
    nobody in."""
    from django.test import Client as HttpClient
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .factories import PASSWORD, StaffFactory
    from .workspace_helpers import staff_http

    anonymous = HttpClient()
    response = anonymous.get("/beheer/", follow=True)
    assert response.redirect_chain[-1][0] == "/inloggen/?next=%2Fbeheer%2F"
    staff = StaffFactory(email="beheer@office.test", staff_role="administrator")
    posted = anonymous.post(
        "/beheer/login/?next=/beheer/", {"username": staff.email, "password": PASSWORD}
    )
    assert posted.status_code == 302 and posted["Location"].startswith("/inloggen/")
    assert "_auth_user_id" not in anonymous.session

    password_only = staff_http(staff, verified=False)
    response = password_only.get("/beheer/", follow=True)
    assert response.redirect_chain[-1][0] == "/kantoor/verificatie/"

    TOTPDevice.objects.create(user=staff, name="app", confirmed=True)
    response = password_only.get("/beheer/", follow=True)
    assert response.status_code == 403

    assert staff_http(staff).get("/beheer/").status_code == 200
