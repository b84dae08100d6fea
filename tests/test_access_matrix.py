"""The access matrix (R-DOS-6): every client-facing URL that shows a dossier, or anything inside
one, tried by every standing role of ``world.roles()`` on both the person's and the company's
dossier. A role that must not see a dossier may never get it: not as a page (200), and not its
number or description anywhere in a body.

New client-facing URLs join the matrix by adding a builder to ``DOSSIER_URLS`` below.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from portal.dossiers import services as dossier_services
from portal.dossiers.models import Dossier
from portal.dossiers.views import TABS
from portal.questionnaires import services as action_services
from portal.questionnaires.models import Action

from .questionnaire_helpers import sized_template

LOGIN_PREFIX = "/inloggen/"
TAB_SLUGS = ["correspondentie", "documenten", "aangeleverd", "berichten"]


@dataclass(frozen=True)
class DossierUrl:
    """One client-facing URL, built for a given dossier.

    ``kind="page"``: the URL *is* the dossier (or a part of it): 200 for a granted role, 404 for
    any other client account.
    ``kind="list"``: a listing that may mention the dossier: 200 for every client account (after
    following R-DOS-1's redirect to a single dossier); the dossier's number appears for a granted
    role and never for another.
    ``kind="redirect"``: like a page, but a granted role is redirected (within the site) first.
    ``kind="file"``: a download: 200 as an attachment for a granted role, 404 for any other.
    """

    name: str
    build: Callable[[Dossier], str]
    kind: Literal["page", "redirect", "list", "file"]


def _tab(slug: str) -> Callable[[Dossier], str]:
    return lambda dossier: f"/dossiers/{dossier.pk}/{slug}/"


def _download(kind: str) -> Callable[[Dossier], str]:
    def build(dossier: Dossier) -> str:
        document = dossier.documents.get(kind=kind)
        return f"/dossiers/{dossier.pk}/documenten/{document.pk}/download/"

    return build


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
        if kind == Action.Kind.UPLOAD:
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


# THE list of client-facing dossier URLs. Later issues (documents, downloads, messages,
# questionnaires, ...) add their URLs here, so that every one of them is tried by every role.
DOSSIER_URLS: list[DossierUrl] = [
    DossierUrl("dossier", lambda dossier: f"/dossiers/{dossier.pk}/", "page"),
    *(DossierUrl(f"tab {slug}", _tab(slug), "page") for slug in TAB_SLUGS),
    *(
        DossierUrl(f"download {kind}", _download(kind), "file")
        for kind in ("correspondence", "document", "supplied")
    ),
    DossierUrl("new message", lambda dossier: f"/dossiers/{dossier.pk}/berichten/nieuw/", "page"),
    DossierUrl("message", _message(""), "page"),
    DossierUrl("reply", _message("beantwoorden/"), "page"),
    # Acties (R-HOME-3, R-Q-1..4): not dossier-scoped in the path, reached through the dossier.
    DossierUrl("fill in (resume)", _action_url("questionnaire", "invullen/"), "redirect"),
    DossierUrl("questionnaire page", _action_url("questionnaire", "invullen/1/"), "page"),
    DossierUrl("questionnaire overview", _action_url("questionnaire", "controleren/"), "page"),
    DossierUrl(
        "questionnaire result", _action_url("questionnaire", "resultaat/", completed=True), "page"
    ),
    DossierUrl("upload request", _action_url("upload", "uploaden/"), "page"),
    DossierUrl("actions list", lambda dossier: "/acties/", "list"),
    DossierUrl("list", lambda dossier: "/dossiers/", "list"),
    DossierUrl("list, search on part of the number", _search_part_of_number, "list"),
]

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

    if role == "anonymous":
        response = http.get(address)
        leak = label if response.status_code == 200 else None
        location = response.headers.get("Location", "")
        if response.status_code != 302 or not location.startswith(LOGIN_PREFIX):
            return leak, f"{label}: {response.status_code} {location!r}, expected 302 to login"
        return leak, None

    response = http.get(address, follow=True)
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
    """R-DOS-6: a client sees only the dossiers they are authorised for. Every URL of
    DOSSIER_URLS × every role × both dossiers: 200 for the granted roles, 404 for other clients,
    for a revoked client and for staff (staff accounts have no client and see no client pages),
    302 to the login page for anonymous visitors; no role that is not granted gets a 200 for the
    dossier or its number/description in a body."""
    result = run_matrix(world, DOSSIER_URLS)

    with capsys.disabled():
        print(
            f"\naccess matrix: {result.combinations} combinations, {len(result.leaks)} leaks"
            f" ({len(DOSSIER_URLS)} URLs × {len(world.roles())} roles × {len(DOSSIERS)} dossiers)"
        )
    assert result.leaks == []
    assert result.wrong_answers == []
    assert result.combinations == len(DOSSIER_URLS) * len(world.roles()) * len(DOSSIERS)


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
    for url in DOSSIER_URLS:
        address = url.build(world.person_dossier)
        response = http.get(address)
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
        for url in DOSSIER_URLS:
            address = url.build(dossier)
            response = extra.get(address)
            if response.status_code != 302 or _mentions(_body(response), dossier):
                leaks.append(f"{url.name} {address}: {response.status_code}")
            assert response["Location"].startswith(LOGIN_PREFIX), address
    assert leaks == []
    main = _http_client_for(world.company_main)
    assert main.get(f"/dossiers/{world.company_dossier.pk}/").status_code == 200
