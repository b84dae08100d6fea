"""The access matrix (R-DOS-6): every client-facing URL that shows a dossier, or anything inside
one, tried by every standing role of ``world.roles()`` on both the person's and the company's
dossier. A role that must not see a dossier may never get it: not as a page (200), and not its
number or description anywhere in a body.

The URLs come from the URL resolver (``matrix_urls``): every named route outside the staff
interfaces (workspace, API, admin: they have matrices of their own) must either be filled in by
``FILL_IN`` or be named, with the reason, in ``NOT_PER_DOSSIER``. A new client route that is in
neither fails the matrix with its name, so it cannot be left out.
"""

from __future__ import annotations

import html
import io
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.urls import URLResolver, get_resolver, path, resolve
from django.utils import timezone
from PIL import Image

from portal.documents import previews, rendering
from portal.documents import services as document_services
from portal.documents.models import Document
from portal.dossiers import services as dossier_services
from portal.dossiers.models import Dossier
from portal.questionnaires import approvals
from portal.questionnaires import services as action_services
from portal.questionnaires.models import Action
from portal.web.dossiers.views import TABS

from .questionnaire_helpers import sized_template

LOGIN_PREFIX = "/inloggen/"
TAB_SLUGS = ["correspondentie", "documenten", "aangeleverd", "berichten"]


@dataclass(frozen=True)
class DossierUrl:
    """One client-facing URL of the route ``route``, built for a given dossier.

    ``kind="page"``: the URL *is* the dossier (or a part of it): 200 for a granted role, 404 for
    any other client account.
    ``kind="list"``: a listing that may mention the dossier: 200 for every client account (after
    following R-DOS-1's redirect to a single dossier); the dossier's number appears for a granted
    role and never for another.
    ``kind="redirect"``: like a page, but a granted role is redirected (within the site) first.
    ``kind="file"``: a download: 200 as an attachment for a granted role, 404 for any other.
    ``kind="image"``: a page image of the viewer: 200 as an image for a granted role, 404 for
    any other.
    ``kind="json"``: a POST endpoint that answers JSON: for a granted role its own JSON answer
    with ``granted_status`` (the request carries nothing to do), for any other a 404 from the
    dossier check, before the endpoint's own answer.
    """

    route: str
    name: str
    build: Callable[[Dossier], str]
    kind: Literal["page", "redirect", "list", "file", "image", "json"]
    granted_status: int = 200

    @property
    def method(self) -> str:
        return "post" if self.kind == "json" else "get"


def _tab(slug: str) -> Callable[[Dossier], str]:
    return lambda dossier: f"/dossiers/{dossier.pk}/{slug}/"


PHOTO_TITLE = "Foto voor de viewer"  # the one previewable document, made by _preview_image


def _world_document(dossier: Dossier, kind: str) -> Document:
    return dossier.documents.exclude(title=PHOTO_TITLE).get(kind=kind)


def _download(kind: str) -> Callable[[Dossier], str]:
    def build(dossier: Dossier) -> str:
        document = _world_document(dossier, kind)
        return f"/dossiers/{dossier.pk}/documenten/{document.pk}/download/"

    return build


def _preview(kind: str) -> Callable[[Dossier], str]:
    def build(dossier: Dossier) -> str:
        document = _world_document(dossier, kind)
        return f"/dossiers/{dossier.pk}/documenten/{document.pk}/bekijken/"

    return build


def _preview_image(dossier: Dossier) -> str:
    """Page 1 of a rendered photo in ``dossier``, made on first use (R-SIG-3)."""
    photo = dossier.documents.filter(title=PHOTO_TITLE).first()
    if photo is None:
        image = io.BytesIO()
        Image.new("RGB", (40, 30), (0, 90, 160)).save(image, "PNG")
        photo = document_services.publish_document(
            dossier=dossier,
            kind="document",
            title=PHOTO_TITLE,
            file=ContentFile(image.getvalue(), name="foto.png"),
        )
        preview = previews.preview_for(photo)
        assert preview is not None
        rendering.render(preview.pk)
    return f"/dossiers/{dossier.pk}/documenten/{photo.pk}/bekijken/1/"


def _message(suffix: str) -> Callable[[Dossier], str]:
    def build(dossier: Dossier) -> str:
        return f"/dossiers/{dossier.pk}/berichten/{dossier.messages.get().pk}/{suffix}"

    return build


def _search_part_of_number(dossier: Dossier) -> str:
    # Half of the number: finds the dossier without echoing its full number in the search box.
    return f"/dossiers/?q={dossier.number[: len(dossier.number) // 2]}"


def _action(kind: str, completed: bool = False) -> Callable[[Dossier], Action]:
    """An action of ``kind`` in ``dossier`` for the client granted it, made on first use (the
    world fixture has none), so every role tries the same one."""

    def find(dossier: Dossier) -> Action:
        status = Action.Status.COMPLETED if completed else Action.Status.OPEN
        found = Action.objects.filter(dossier=dossier, kind=kind, status=status).first()
        if found:
            return found
        client = dossier.grants.get().client
        if kind == Action.Kind.APPROVAL:
            (made,) = approvals.request_approval(
                dossier=dossier,
                document=_world_document(dossier, "document"),
                clients=[client],
            )
        elif kind == Action.Kind.UPLOAD:
            made = action_services.request_upload(
                dossier=dossier, client=client, title_nl="Kopie legitimatiebewijs"
            )
        else:
            made = action_services.send_questionnaire(
                template=sized_template(3), dossier=dossier, client=client
            )
        if completed:
            Action.objects.filter(pk=made.pk).update(status=status, completed_at=timezone.now())
        return made

    return find


def _action_url(kind: str, suffix: str, completed: bool = False) -> Callable[[Dossier], str]:
    find = _action(kind, completed)
    return lambda dossier: f"/acties/{find(dossier).pk}/{suffix}"


# How the matrix fills in each client route for a dossier (one route may be tried several ways).
FILL_IN: list[DossierUrl] = [
    DossierUrl("dossiers:detail", "dossier", lambda dossier: f"/dossiers/{dossier.pk}/", "page"),
    *(DossierUrl("dossiers:tab", f"tab {slug}", _tab(slug), "page") for slug in TAB_SLUGS),
    *(
        DossierUrl("documents:download", f"download {kind}", _download(kind), "file")
        for kind in ("correspondence", "document", "supplied")
    ),
    # R-SIG-3: the viewer (the world's files are text: "cannot be viewed, download it") and a
    # page image of a photo.
    *(
        DossierUrl("documents:preview", f"view {kind}", _preview(kind), "page")
        for kind in ("correspondence", "document", "supplied")
    ),
    DossierUrl("documents:preview_page", "page image of a photo", _preview_image, "image"),
    DossierUrl(
        "messaging:new",
        "new message",
        lambda dossier: f"/dossiers/{dossier.pk}/berichten/nieuw/",
        "page",
    ),
    DossierUrl("messaging:detail", "message", _message(""), "page"),
    DossierUrl("messaging:reply", "reply", _message("beantwoorden/"), "page"),
    # The attachments dialog's endpoints: an upload without a file is refused (400) for a granted
    # role; removing a file that is not there is a JSON 404 for a granted role.
    DossierUrl(
        "messaging:upload_attachment",
        "upload an attachment",
        lambda dossier: f"/dossiers/{dossier.pk}/berichten/bijlagen/",
        "json",
        granted_status=400,
    ),
    DossierUrl(
        "messaging:remove_attachment",
        "remove an attachment",
        lambda dossier: f"/dossiers/{dossier.pk}/berichten/bijlagen/{uuid.uuid4()}/verwijderen/",
        "json",
        granted_status=404,
    ),
    # Acties (R-HOME-3, R-Q-1..4): not dossier-scoped in the path, reached through the dossier.
    DossierUrl(
        "questionnaires:resume",
        "fill in (resume)",
        _action_url("questionnaire", "invullen/"),
        "redirect",
    ),
    DossierUrl(
        "questionnaires:page",
        "questionnaire page",
        _action_url("questionnaire", "invullen/1/"),
        "page",
    ),
    DossierUrl(
        "questionnaires:overview",
        "questionnaire overview",
        _action_url("questionnaire", "controleren/"),
        "page",
    ),
    DossierUrl(
        "questionnaires:result",
        "questionnaire result",
        _action_url("questionnaire", "resultaat/", completed=True),
        "page",
    ),
    DossierUrl(
        "questionnaires:upload", "upload request", _action_url("upload", "uploaden/"), "page"
    ),
    # R-SIG-4: an approval request, open and answered.
    DossierUrl(
        "questionnaires:approval", "approval request", _action_url("approval", "akkoord/"), "page"
    ),
    DossierUrl(
        "questionnaires:approval",
        "approval request, answered",
        _action_url("approval", "akkoord/", completed=True),
        "page",
    ),
    DossierUrl("questionnaires:list", "actions list", lambda dossier: "/acties/", "list"),
    DossierUrl("dossiers:list", "list", lambda dossier: "/dossiers/", "list"),
    DossierUrl(
        "dossiers:list", "list, search on part of the number", _search_part_of_number, "list"
    ),
]

# The staff interfaces have access matrices of their own: the workspace in
# test_workspace_access.py, the API in test_api_access.py, the admin behind the workspace's gate
# (test_workspace_access.py::test_the_admin_needs_the_second_factor_too_R_X_2), the hosting
# site (on HOSTING_HOSTS only) in test_hosting_site.py.
STAFF_NAMESPACES = ("admin", "api", "workspace", "hosting")

# Client-side routes that show nothing of any dossier, with the reason and where their own
# access is tested. Every other route outside STAFF_NAMESPACES must be in FILL_IN.
NOT_PER_DOSSIER: dict[str, str] = {
    # Counts only, never a dossier's number or description (test_dossiers.py, Home).
    "home": "counts of the user's own dossiers",
    # Logging in and out, invitations, password and login links: before or around a login,
    # reached by token; no dossier (test_onboarding.py, test_link_races.py, test_passkeys.py).
    "accounts:login": "login",
    "accounts:passkey_login": "login",
    "accounts:passkey_login_options": "login",
    "accounts:login_link_form": "login",
    "accounts:login_link": "login by token",
    "accounts:logout": "logout",
    "accounts:keep_alive": "session",
    "accounts:invitation_form": "invitation",
    "accounts:invitation": "invitation by token",
    "accounts:forgot_password": "password link",
    "accounts:set_password_form": "password",
    "accounts:set_password": "password by token",
    "accounts:language": "language choice",
    # Mijn gegevens: the account itself; the extra-account pages take an account id, tried by
    # every role in test_company_accounts.py::test_only_the_main_account_manages_accounts_R_ME_4.
    "accounts:profile": "own account",
    "accounts:notifications": "own account",
    "accounts:extra_accounts": "own company's accounts",
    "accounts:extra_account_add": "own company's accounts",
    "accounts:extra_account": "an account of the own company (by account id)",
    "accounts:extra_account_delete": "an account of the own company (by account id)",
    # "Mijn gegevens downloaden" (R-RET-2): the own account's export; another account's
    # export by id is tried by every role in
    # test_exports.py::test_another_accounts_export_is_a_404_R_RET_2.
    "exports:request": "own account",
    "exports:download": "the own account's export (by id)",
    # Two-step verification of the own account (test_twofactor.py, test_passkeys.py; another
    # user's passkey: test_passkeys.py::test_someone_elses_passkey_cannot_be_removed_R_X_2).
    "twofactor:login_code": "login",
    "twofactor:login_resend": "login",
    "twofactor:login_passkey": "login",
    "twofactor:sms_setup": "own account",
    "twofactor:sms_confirm": "own account",
    "twofactor:sms_resend": "own account",
    "twofactor:totp_start": "own account",
    "twofactor:totp_confirm": "own account",
    "twofactor:recovery_codes": "own account",
    "twofactor:disable": "own account",
    "twofactor:passkey_add": "own account",
    "twofactor:passkey_create": "own account",
    "twofactor:passkey_remove": "a passkey of the own account (by id)",
    # Public: the office's logo, the accessibility statement, the health checks, and the
    # development outbox (404 unless DEBUG; test_health.py, test_office_logo.py).
    "office_logo": "public",
    "accessibility_statement": "public",
    "health_live": "public",
    "health_ready": "public",
    "dev_outbox": "development only",
    "dev_outbox_message": "development only",
}


class UnfilledRoutes(AssertionError):
    """Client routes the matrix cannot try, or fill-ins for routes that do not exist."""


def client_routes(patterns: Iterable | None = None) -> dict[str, str]:
    """Every route outside the staff interfaces: name (with its namespaces) → route, from the
    URL resolver (or from ``patterns``)."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str, namespaces: tuple[str, ...]) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                if not inner or inner[0] not in STAFF_NAMESPACES:
                    walk(pattern.url_patterns, route, inner)
            else:
                name = ":".join((*namespaces, pattern.name or f"<unnamed /{route}>"))
                found[name] = route

    walk(get_resolver().url_patterns if patterns is None else patterns, "", ())
    return found


def matrix_urls(
    fill_in: list[DossierUrl] = FILL_IN,
    excluded: dict[str, str] = NOT_PER_DOSSIER,
    patterns: Iterable | None = None,
) -> list[DossierUrl]:
    """The matrix's URLs: ``fill_in``, after checking against the resolver that every client
    route is filled in or excluded, and that every fill-in and exclusion names a client route.
    Raises ``UnfilledRoutes`` naming the routes that are not."""
    routes = client_routes(patterns)
    filled = {url.route for url in fill_in}
    problems = []
    missing = sorted(set(routes) - filled - set(excluded))
    if missing:
        problems.append(
            "client routes the access matrix cannot fill in (add them to FILL_IN, or to"
            f" NOT_PER_DOSSIER with the reason): {', '.join(missing)}"
        )
    unknown = sorted((filled | set(excluded)) - set(routes))
    if unknown:
        problems.append(f"not a client route (renamed or removed?): {', '.join(unknown)}")
    both = sorted(filled & set(excluded))
    if both:
        problems.append(f"both filled in and excluded: {', '.join(both)}")
    if problems:
        raise UnfilledRoutes("; ".join(problems))
    return list(fill_in)


# Who is granted which dossier of the world fixture (conftest.World).
GRANTED = {
    "person_dossier": {"owner"},
    "company_dossier": {"company main account", "extra account"},
}
DOSSIERS = list(GRANTED)


@dataclass
class MatrixResult:
    combinations: int = 0
    leaks: list[str] = field(default_factory=list)
    wrong_answers: list[str] = field(default_factory=list)


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


def _http_client_for(user) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def _mentions(body: str, dossier: Dossier) -> bool:
    needles = {dossier.number, dossier.description, html.escape(dossier.description)}
    return any(needle in body for needle in needles)


def _try(http: HttpClient, url: DossierUrl, dossier: Dossier, role: str, granted: bool):
    """Request one combination; return (leak, wrong_answer), each a description or None."""
    address = url.build(dossier)
    label = f"{role} → {url.name} {address} ({dossier.number})"
    route = resolve(urlsplit(address).path).view_name
    if route != url.route:
        return None, f"{label}: resolves to {route}, not to the route it fills in ({url.route})"
    send = getattr(http, url.method)

    if role == "anonymous":
        response = send(address)
        leak = label if response.status_code == 200 else None
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith(LOGIN_PREFIX):
            return leak, f"{label}: {response.status_code} {location!r}, expected 302 to login"
        return leak, None

    response = send(address, follow=True)
    body = _body(response)
    hops = [hop for hop, _status in response.redirect_chain]
    wrong = None
    leak = None
    if url.kind == "file":
        if not granted and response.status_code == 200:
            leak = f"{label}: {response.status_code}"
        expected = 200 if granted else 404
        if response.status_code != expected or hops:
            wrong = f"{label}: {response.status_code} via {hops}, expected {expected}"
        elif granted and not response.get("Content-Disposition", "").startswith("attachment"):
            wrong = f"{label}: 200 but not served as an attachment"
    elif url.kind == "image":
        if not granted and response.status_code == 200:
            leak = f"{label}: {response.status_code}"
        expected = 200 if granted else 404
        if response.status_code != expected or hops:
            wrong = f"{label}: {response.status_code} via {hops}, expected {expected}"
        elif granted and response.get("Content-Type") != "image/webp":
            wrong = f"{label}: 200 but not a page image"
    elif url.kind == "json":
        answered = response.get("Content-Type", "").startswith("application/json")
        if not granted and (response.status_code != 404 or answered or _mentions(body, dossier)):
            leak = f"{label}: {response.status_code} {response.get('Content-Type')}"
        expected = url.granted_status if granted else 404
        if response.status_code != expected or hops or (granted and not answered):
            wrong = f"{label}: {response.status_code} via {hops}, expected {expected}"
    elif url.kind in ("page", "redirect"):
        if not granted and (response.status_code == 200 or _mentions(body, dossier)):
            leak = f"{label}: {response.status_code}"
        expected = 200 if granted else 404
        if response.status_code != expected or (hops and url.kind == "page"):
            wrong = f"{label}: {response.status_code} via {hops}, expected {expected}"
        elif granted and not _mentions(body, dossier):
            wrong = f"{label}: 200 without the dossier's number"
    else:
        if not granted and (_mentions(body, dossier) or f"/dossiers/{dossier.pk}/" in hops):
            leak = f"{label}: listed"
        if response.status_code != 200:
            wrong = f"{label}: {response.status_code}, expected 200"
        elif granted and dossier.number not in body:
            wrong = f"{label}: granted dossier not listed"
    return leak, wrong


def run_matrix(world, urls: list[DossierUrl]) -> MatrixResult:
    result = MatrixResult()
    for role, user in world.roles().items():
        http = _http_client_for(user)
        for dossier_name in DOSSIERS:
            dossier = getattr(world, dossier_name)
            granted = role in GRANTED[dossier_name]
            for url in urls:
                result.combinations += 1
                leak, wrong = _try(http, url, dossier, role, granted)
                if leak:
                    result.leaks.append(leak)
                if wrong:
                    result.wrong_answers.append(wrong)
    return result


def test_matrix_lists_every_tab_R_DOS_4_R_DOS_6():
    """R-DOS-4/R-DOS-6: the matrix tries every tab the dossier page has; a new tab must be
    added to TAB_SLUGS (and so to the matrix) before it can ship."""
    assert sorted(TAB_SLUGS) == sorted(TABS)


def test_access_matrix_R_DOS_6(world, capsys):
    """R-DOS-6, issue 16 item 13: a client sees only the dossiers they are authorised for.
    Every client route of the URL resolver, as filled in by FILL_IN, × every role × both
    dossiers: 200 for the granted roles (a POST endpoint: its own JSON answer), 404 for other
    clients, for a revoked client and for staff (staff accounts have no client and see no client
    pages), 302 to the login page for anonymous visitors; no role that is not granted gets a 200
    for the dossier or its number/description in a body."""
    urls = matrix_urls()
    result = run_matrix(world, urls)

    with capsys.disabled():
        print(
            f"\naccess matrix: {result.combinations} combinations, {len(result.leaks)} leaks"
            f" ({len(urls)} URLs × {len(world.roles())} roles × {len(DOSSIERS)} dossiers)"
        )
    assert result.leaks == []
    assert result.wrong_answers == []
    assert result.combinations == len(urls) * len(world.roles()) * len(DOSSIERS)


def test_revoking_takes_effect_on_the_next_request_R_DOS_6(world, client):
    """R-DOS-6: "revoking takes effect at once": the same logged-in session that just saw the
    dossier gets 404 on its very next request, and the list no longer mentions it."""
    dossier = world.person_dossier
    client.force_login(world.owner)
    assert client.get(f"/dossiers/{dossier.pk}/").status_code == 200

    assert dossier_services.revoke_access(dossier=dossier, client=world.owner.client)

    response = client.get(f"/dossiers/{dossier.pk}/")
    assert response.status_code == 404
    listing = client.get("/dossiers/", follow=True)
    assert listing.status_code == 200
    assert dossier.number not in listing.content.decode()


def test_revoking_a_company_grant_covers_every_account_R_DOS_6(world):
    """R-DOS-6: a company's grant covers its main and extra accounts, and so does revoking it."""
    dossier = world.company_dossier
    sessions = [_http_client_for(world.company_main), _http_client_for(world.company_extra)]
    for http in sessions:
        assert http.get(f"/dossiers/{dossier.pk}/").status_code == 200

    dossier_services.revoke_access(dossier=dossier, client=world.company_main.client)

    for http in sessions:
        assert http.get(f"/dossiers/{dossier.pk}/").status_code == 404


def test_deactivated_user_sees_nothing_R_DOS_6(world):
    """R-DOS-6: a deactivated account (is_active=False) sees no dossier, even in a session that
    was logged in before it was deactivated."""
    user = world.owner
    http = _http_client_for(user)
    assert http.get(f"/dossiers/{world.person_dossier.pk}/").status_code == 200

    user.is_active = False
    user.save(update_fields=["is_active"])

    assert not Dossier.objects.visible_to(user).exists()
    for url in matrix_urls():
        address = url.build(world.person_dossier)
        response = getattr(http, url.method)(address)
        # The session no longer authenticates: back to the login page, like an anonymous visitor.
        assert response.status_code == 302, address
        assert response["Location"].startswith(LOGIN_PREFIX), address
        assert not _mentions(_body(response), world.person_dossier), address


@pytest.mark.parametrize("role", ["anonymous", "staff", "other client"])
def test_visible_to_is_empty_for_those_without_a_grant_R_DOS_6(world, role):
    """R-DOS-6: the one access check itself returns nothing for anonymous visitors, staff
    accounts and clients without a grant."""
    from django.contrib.auth.models import AnonymousUser

    user = world.roles()[role] or AnonymousUser()
    assert list(Dossier.objects.visible_to(user)) == []


def test_deleted_extra_account_sees_nothing_R_ME_4_R_DOS_6(world):
    """R-ME-4/R-DOS-6: a company's extra account deleted by the main account: its logged-in
    session gets no dossier URL at all (0 leaks), like an anonymous visitor; the main account
    still sees the company's dossier."""
    from portal.accounts import services as account_services

    extra = _http_client_for(world.company_extra)
    assert extra.get(f"/dossiers/{world.company_dossier.pk}/").status_code == 200
    account_services.remove_account(account=world.company_extra, by=world.company_main)

    leaks = []
    for dossier in (world.company_dossier, world.person_dossier):
        for url in matrix_urls():
            address = url.build(dossier)
            response = getattr(extra, url.method)(address)
            if response.status_code != 302 or _mentions(_body(response), dossier):
                leaks.append(f"{url.name} {address}: {response.status_code}")
            assert response["Location"].startswith(LOGIN_PREFIX), address
    assert leaks == []
    main = _http_client_for(world.company_main)
    assert main.get(f"/dossiers/{world.company_dossier.pk}/").status_code == 200


def _invoices(request, pk):
    return HttpResponse("")


def test_a_client_route_missing_from_the_fill_in_table_fails_the_matrix_R_DOS_6():
    """R-DOS-6, issue 16 item 13: the matrix is built from the URL resolver: a new client route
    (here a made-up invoices page of a dossier) or a route left out of FILL_IN stops it with the
    route's name; so does a fill-in for a route that no longer exists."""
    with_new_route = [
        *get_resolver().url_patterns,
        path("dossiers/<int:pk>/facturen/", _invoices, name="invoices"),
    ]
    with pytest.raises(UnfilledRoutes, match=r"cannot fill in .*: invoices$"):
        matrix_urls(patterns=with_new_route)

    without_reply = [url for url in FILL_IN if url.route != "messaging:reply"]
    with pytest.raises(UnfilledRoutes, match=r"cannot fill in .*: messaging:reply$"):
        matrix_urls(fill_in=without_reply)

    stale = [*FILL_IN, DossierUrl("dossiers:gone", "gone", lambda d: "/", "page")]
    with pytest.raises(UnfilledRoutes, match="not a client route .*: dossiers:gone"):
        matrix_urls(fill_in=stale)

    assert {url.route for url in matrix_urls()} == set(client_routes()) - set(NOT_PER_DOSSIER)


def test_every_fill_in_builds_an_address_of_its_own_route_R_DOS_6(world):
    """R-DOS-6, issue 16 item 13: each fill-in builds, for both dossiers, an address that the
    resolver maps to the route it claims to try (so a route is really tried, not another)."""
    for url in matrix_urls():
        for dossier in (world.person_dossier, world.company_dossier):
            address = url.build(dossier)
            assert resolve(urlsplit(address).path).view_name == url.route, (url.name, address)
