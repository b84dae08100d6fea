"""The cross-office matrix (R-TEN-2, R-TEN-3): two offices, A at ``a.example`` and B at
``b.example``, with data of the same shape. Every route of the URL resolver (client pages, the
workspace, the admin, the API) is requested by every role of office A (a client, a company's
extra account and its main account, a handler, an office administrator, an API token and a
configuring API token) with office B's objects in the URL (B's ids, B's file and download ids,
B's single-use links), on A's host: never a page or a file of B's (only refusals: 401, 403, 404,
405, or a redirect to a login or the admin's index), never a 500, and none of B's distinctive
strings in any body. B's data is unchanged afterwards, and no row of one office points to
another's.

Then office A's session cookies are sent to B's host: there they are worthless, every answer
is the one an anonymous visitor gets (the login page, 401 from the API); office A's API tokens on
B's host get 401 everywhere.

The routes come from the URL resolver (``routes``): every route must be filled in by ``fill``
(or carry an argument of ``SKIPPED_KWARGS``, with the reason); a route it cannot fill fails the
matrix with its name. Variants that are the same by construction are not repeated: the API's
calls with a session (the API reads tokens only), the pages outside the API with a token, and
on B's host the sessions of the same shape. Plain Django test client, no browser.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import timedelta
from http.cookies import SimpleCookie
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db.models import F
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, include
from django.urls import path as route_path
from django.utils import timezone
from django.utils.functional import empty
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from portal.accounts.lockout import office_key
from portal.accounts.models import AccountToken, Client, User
from portal.audit.models import AuditEntry
from portal.core import tenancy
from portal.documents.models import Document, StagedUpload
from portal.dossiers.models import Dossier, ProgressStep
from portal.exports.models import DataExport
from portal.integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint
from portal.messaging import services as message_services
from portal.messaging.models import Message
from portal.notifications.models import OutgoingEmail
from portal.offices.middleware import OFFICELESS_PREFIXES, SESSION_KEY
from portal.offices.models import DossierStatus, Office, OfficeHost
from portal.questionnaires import approvals, signing
from portal.questionnaires import services as action_services
from portal.questionnaires.models import (
    Action,
    QuestionnaireTemplate,
    SigningRequest,
    TemplatePage,
)
from portal.retention import services as retention_services
from portal.retention.models import RetentionRules
from portal.web.dossiers.views import TABS

from .api_helpers import make_token
from .factories import (
    AdministratorFactory,
    ClientFactory,
    DossierFactory,
    StaffFactory,
    StatusFactory,
    StepFactory,
    UserFactory,
    grant,
)
from .questionnaire_helpers import sized_template
from .signing_helpers import publish_pdf
from .workspace_helpers import verify_second_factor

pytestmark = pytest.mark.django_db

LOGINS = ("/inloggen/", "/beheer/login/", "/kantoor/verificatie/")
# Routes of the API that are no API calls (the schema and its documentation page): they accept
# a staff session too; a token they do not accept answers 401 or 403. Every call answers 401.
API_DOCUMENTS = ("api:schema", "api:docs")
REFUSALS = {401, 403, 404, 405}


# ---------------------------------------------------------------------------------------------
# The two offices' data, of the same shape.


@dataclass
class OfficeData:
    office: Office
    host: str
    tag: str
    person: User
    company: Client
    company_main: User
    company_extra: User
    invitee: User
    handler: User
    administrator: User
    person_dossier: Dossier
    company_dossier: Dossier
    status: DossierStatus
    documents: dict[str, Document]
    staff_message: Message
    client_message: Message
    attachment: Document
    staged: StagedUpload
    template: QuestionnaireTemplate
    questionnaire: Action
    completed_questionnaire: Action
    upload_request: Action
    approval_request: Action
    signing_request: SigningRequest
    retention_rules: RetentionRules
    passkey: WebAuthnCredential
    endpoint: WebhookEndpoint
    delivery: WebhookDelivery
    token: ApiToken
    token_raw: str
    configuring_token: ApiToken
    configuring_raw: str
    links: dict[str, str]  # purpose → raw single-use secret
    email: OutgoingEmail
    login_records: list[Any]  # django-axes: an attempt, a log entry, a failure
    export: DataExport  # "Mijn gegevens downloaden", ready for the person (R-RET-2)
    numbers: list[str] = field(default_factory=list)

    def needles(self) -> list[str]:
        """Strings that occur only in this office's data: its tag (in every name, title,
        description, subject, e-mail address and file name), its dossier numbers and its
        name."""
        return [self.tag.lower(), *self.numbers, self.office.name.lower()]


def _document(dossier: Dossier, kind: str, tag: str) -> Document:
    return Document.objects.create(
        dossier=dossier,
        kind=kind,
        title=f"{tag} stuk {kind}",
        original_name=f"{tag.lower()}-{kind}.txt",
        size=12,
        content_type="text/plain",
        sha256="0" * 64,
        file=ContentFile(f"{tag} inhoud\n".encode(), name="upload"),
    )


def _staged(dossier: Dossier, user: User, tag: str) -> StagedUpload:
    content = f"{tag} bijlage\n".encode()
    return StagedUpload.objects.create(
        dossier=dossier,
        uploaded_by=user,
        original_name=f"{tag.lower()}-bijlage.txt",
        size=len(content),
        content_type="text/plain",
        sha256=hashlib.sha256(content).hexdigest(),
        file=ContentFile(content, name="upload"),
    )


def build_office(name: str, host: str, tag: str, first_number: int) -> OfficeData:
    low = tag.lower()
    # Branding, contact and accessibility statement of its own (on every page, and public).
    office = Office.objects.create(
        name=name,
        contact_email=f"info@{low}.test",
        accessibility_method=f"Onderzocht door {tag} Toegankelijk",
    )
    svg = f'<svg xmlns="http://www.w3.org/2000/svg"><title>{tag} logo</title></svg>'
    office.logo.save("logo.svg", ContentFile(svg.encode()))
    OfficeHost.objects.create(office=office, name=host, primary=True)
    with tenancy.office_scope(office):
        status = StatusFactory(name=f"{tag} in behandeling")
        person = UserFactory(
            email=f"klant@{low}.test",
            full_name=f"{tag} Klant",
            client=ClientFactory(name=f"{tag} Klant"),
        )
        company = ClientFactory(company=True, name=f"{tag} Holding B.V.")
        company_main = UserFactory(
            email=f"directie@{low}.test", full_name=f"{tag} Directeur", client=company
        )
        company_extra = UserFactory(
            email=f"extra@{low}.test",
            full_name=f"{tag} Medewerker",
            client=company,
            is_main_account=False,
        )
        invitee = UserFactory(email=f"nieuw@{low}.test", full_name=f"{tag} Nieuw")
        handler = StaffFactory(email=f"behandelaar@{low}.test", full_name=f"{tag} Behandelaar")
        administrator = AdministratorFactory(
            email=f"beheerder@{low}.test", full_name=f"{tag} Beheerder"
        )
        for staff in (handler, administrator):
            TOTPDevice.objects.create(user=staff, name=f"{tag} app", confirmed=True)

        person_dossier = DossierFactory(
            number=f"2026.{first_number:05d}",
            description=f"Levering woning {tag}laan 1",
            status=status,
        )
        company_dossier = DossierFactory(
            number=f"2026.{first_number + 1:05d}",
            description=f"Oprichting {tag} Holding B.V.",
            status=status,
        )
        grant(person_dossier, person.client)
        grant(company_dossier, company)
        for dossier in (person_dossier, company_dossier):
            for position in (1, 2):
                StepFactory(dossier=dossier, position=position, title=f"{tag} stap {position}")
        documents = {kind: _document(person_dossier, kind, tag) for kind in Document.Kind.values}
        for kind in Document.Kind.values:
            _document(company_dossier, kind, tag)

        staff_message = message_services.send_message(
            dossier=person_dossier,
            sender=handler,
            subject=f"{tag} bericht over {person_dossier.number}",
            body=f"Graag uw reactie, {tag}.",
        )
        client_message = message_services.send_message(
            dossier=person_dossier,
            sender=person,
            subject=f"{tag} antwoord met bijlage",
            body=f"Hierbij het stuk, {tag}.",
            attachments=[_staged(person_dossier, person, tag)],
            reply_to=staff_message,
        )
        attachment = client_message.attachments.get()
        staged = _staged(person_dossier, person, tag)  # in the attachments dialog, not sent

        template = sized_template(3)
        QuestionnaireTemplate.objects.filter(pk=template.pk).update(
            title_nl=f"{tag} vragenlijst", title_en=f"{tag} questionnaire"
        )
        template.refresh_from_db()
        questionnaire = action_services.send_questionnaire(
            template=template, dossier=person_dossier, client=person.client, by=handler
        )
        completed = action_services.send_questionnaire(
            template=template, dossier=person_dossier, client=person.client, by=handler
        )
        Action.objects.filter(pk=completed.pk).update(
            status=Action.Status.COMPLETED, completed_at=timezone.now()
        )
        upload_request = action_services.request_upload(
            dossier=person_dossier,
            client=person.client,
            title_nl=f"{tag} legitimatiebewijs",
            by=handler,
        )

        (approval_request,) = approvals.request_approval(
            dossier=person_dossier,
            document=documents["document"],
            clients=[person.client],
            by=handler,
        )
        signing_request = signing.request_signatures(
            document=publish_pdf(person_dossier, title=f"{tag} volmacht"),
            accounts=[person],
            by=handler,
        )
        rules = retention_services.rules()  # the office's retention periods (R-RET-1)

        passkey = WebAuthnCredential.objects.create(
            user=person,
            name=f"{tag} sleutel",
            credential_id=f"{tag}-credential".encode(),
            credential_id_sha256=hashlib.sha256(f"{tag}-credential".encode()).hexdigest(),
            public_key=b"key",
            sign_count=0,
            confirmed=True,
        )
        endpoint = WebhookEndpoint.objects.create(
            office=office, url=f"https://{low}-hook.test/events"
        )
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event="message.created", payload={"office": tag}
        )
        token, token_raw = make_token(handler, name=f"{tag} koppeling", office=office)
        configuring, configuring_raw = make_token(
            administrator, name=f"{tag} beheer", office=office, may_configure=True
        )
        links = {
            "invitation": AccountToken.issue(invitee, AccountToken.Purpose.INVITATION),
            "set_password": AccountToken.issue(person, AccountToken.Purpose.SET_PASSWORD),
            "login_link": AccountToken.issue(person, AccountToken.Purpose.LOGIN_LINK),
        }
        email = OutgoingEmail.objects.create(
            to=person.email, subject=f"{tag} nieuw bericht", kind="message", body_text=tag
        )
        export = DataExport.objects.create(
            user=person,
            status=DataExport.Status.READY,
            expires_at=timezone.now() + timedelta(hours=24),
            size=len(tag) + 8,
            file=ContentFile(f"{tag} export\n".encode(), name="export.zip"),
        )
    # The login protection's records have no office column: the name they count carries the
    # office (accounts.lockout.office_key).
    with tenancy.office_scope(office):
        counted_name = office_key(f"klant@{low}.test")
    seen = {
        "username": counted_name,
        "ip_address": "192.0.2.7",
        "user_agent": f"{tag} browser",
        "http_accept": "*/*",
        "path_info": "/inloggen/",
    }
    login_records = [
        AccessAttempt.objects.create(**seen, failures_since_start=1, get_data="", post_data=""),
        AccessLog.objects.create(**seen),
        AccessFailureLog.objects.create(**seen),
    ]
    return OfficeData(
        office=office,
        host=host,
        tag=tag,
        person=person,
        company=company,
        company_main=company_main,
        company_extra=company_extra,
        invitee=invitee,
        handler=handler,
        administrator=administrator,
        person_dossier=person_dossier,
        company_dossier=company_dossier,
        status=status,
        documents=documents,
        staff_message=staff_message,
        client_message=client_message,
        attachment=attachment,
        staged=staged,
        template=template,
        questionnaire=questionnaire,
        completed_questionnaire=completed,
        upload_request=upload_request,
        approval_request=approval_request,
        signing_request=signing_request,
        retention_rules=rules,
        passkey=passkey,
        endpoint=endpoint,
        delivery=delivery,
        token=token,
        token_raw=token_raw,
        configuring_token=configuring,
        configuring_raw=configuring_raw,
        links=links,
        email=email,
        login_records=login_records,
        export=export,
        numbers=[person_dossier.number, company_dossier.number],
    )


# ---------------------------------------------------------------------------------------------
# The routes, from the URL resolver.


@dataclass(frozen=True)
class Route:
    name: str  # with namespaces; admin model routes: admin:<app>_<model>_<view>
    route: str  # the pattern, prefixes included
    family: str  # client, workspace, admin, hosting, api
    kwargs: tuple[str, ...]
    methods: tuple[str, ...]  # API: from the view set's actions; others: tried by ``fill``
    model: type | None = None  # admin model routes: the model of the model admin


def _family(namespaces: tuple[str, ...]) -> str:
    first = namespaces[0] if namespaces else ""
    return first if first in ("workspace", "admin", "hosting", "api") else "client"


def _arguments(route: str) -> tuple[str, ...]:
    """The URL arguments of a full route, its prefixes' included, in order."""
    return tuple(
        match.group(1) or match.group(2)
        for match in re.finditer(r"\(\?P<(\w+)>|<(?:\w+:)?(\w+)>", route)
    )


def _admin_of(name: str) -> Any:
    """The model admin whose extra page ``name`` is (``<app>_<model>_<page>``), or None."""
    from django.contrib import admin

    for model, model_admin in admin.site._registry.items():
        if name.startswith(f"{model._meta.app_label}_{model._meta.model_name}_"):
            return model_admin
    return None


def routes(patterns=None) -> list[Route]:
    found: list[Route] = []

    def walk(patterns, prefix: str, namespaces: tuple[str, ...]) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                inner = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
                walk(pattern.url_patterns, route, inner)
                continue
            assert isinstance(pattern, URLPattern)
            callback = pattern.callback
            model_admin = getattr(callback, "model_admin", None)
            if model_admin is None and _family(namespaces) == "admin":
                model_admin = _admin_of(pattern.name or "")
            actions = getattr(callback, "actions", None) or {}
            name = pattern.name or f"<unnamed {route}>"
            found.append(
                Route(
                    name=":".join((*namespaces, name)),
                    route=route,
                    family=_family(namespaces),
                    kwargs=_arguments(route),
                    # HEAD and OPTIONS answer as GET does, without the body the matrix reads.
                    methods=tuple(m for m in actions if m not in ("head", "options")),
                    model=model_admin.model if model_admin is not None else None,
                )
            )

    walk(get_resolver().url_patterns if patterns is None else patterns, "", ())
    return found


# Routes the matrix does not request, with the reason. Every other route must be filled in.
SKIPPED_KWARGS = {
    # DRF's format suffix (``/api/v1/dossiers/1.json``): the same view with the same object
    # arguments as the route without the suffix, which the matrix requests.
    "format": "the same view as the route without the format suffix",
}


# Arguments that name no object: an admin app's label, the admin's catch-all path.
PLAIN_ARGUMENTS = {"app_label", "url"}
# In a filled-in path: the dossier of A's that the requesting role may see.
OWN_DOSSIER = "<own dossier>"


class UnfilledRoute(AssertionError):
    """A route the matrix cannot fill in with office B's objects."""


@dataclass(frozen=True)
class Request:
    route: str
    family: str
    method: str
    path: str
    # object: the URL names B's objects (must be refused); link: a single-use link of B's
    # (followed; must not sign in or show B's data); plain: no object of B's in the path
    # (may answer, must not show B's data).
    kind: str
    query: str = ""  # a search term echoed in the page: not counted as B's string


def _substitute(route: str, values: dict[str, Any]) -> str:
    """The route with its arguments (``<int:pk>`` and regex groups) filled in."""

    def converter(match: re.Match) -> str:
        return str(values[match.group(2)])

    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), route)
    path = re.sub(r"<(?:(\w+):)?(\w+)>", converter, path)
    return "/" + path.replace("^", "").replace("$", "")


def _admin_object(b: OfficeData, model: type) -> Any:
    objects = {
        Client: b.company,
        User: b.company_extra,
        Document: b.documents["correspondence"],
        Office: b.office,
        DossierStatus: b.status,
        Message: b.staff_message,
        ApiToken: b.configuring_token,
        WebhookEndpoint: b.endpoint,
        WebhookDelivery: b.delivery,
        QuestionnaireTemplate: b.template,
        TemplatePage: b.template.pages.first(),
        Dossier: b.person_dossier,
        AuditEntry: AuditEntry.objects.order_by("pk").first(),
        OutgoingEmail: b.email,
        AccessAttempt: b.login_records[0],
        AccessLog: b.login_records[1],
        AccessFailureLog: b.login_records[2],
        RetentionRules: b.retention_rules,
    }
    for known, found in objects.items():
        if issubclass(model, known) and found is not None:
            return found
    if issubclass(model, Action):
        if "upload" in model.__name__.lower():
            return b.upload_request
        return b.completed_questionnaire
    raise UnfilledRoute(f"no object of office B for the admin of {model.__name__}")


def _client_values(route: Route, a: OfficeData, b: OfficeData) -> list[dict[str, Any]]:
    """URL arguments naming B's objects for a client route; more than one dict: variants
    (B's child under B's dossier, and B's child under A's dossier)."""
    name = route.name
    if name.startswith("questionnaires:"):
        action = {
            "questionnaires:result": b.completed_questionnaire,
            "questionnaires:upload": b.upload_request,
            "questionnaires:approval": b.approval_request,
            "questionnaires:signing": b.signing_request.signers.get().action,
        }.get(name, b.questionnaire)
        return [{"pk": action.pk, "page": 1} if "page" in route.kwargs else {"pk": action.pk}]
    if name.startswith("accounts:extra_account"):
        return [{"pk": b.company_extra.pk}]
    if name == "twofactor:passkey_remove":
        return [{"pk": b.passkey.pk}]
    if name == "exports:download":
        return [{"pk": b.export.pk}]
    if "token" in route.kwargs:
        purpose = {
            "accounts:invitation": "invitation",
            "accounts:set_password": "set_password",
            "accounts:login_link": "login_link",
        }
        if name not in purpose:
            raise UnfilledRoute(f"{name} ({route.route}): which single-use link?")
        return [{"token": b.links[purpose[name]]}]
    if name == "dev_outbox_message":
        return [{"name": f"{b.tag.lower()}.eml"}]
    children = {
        "doc_id": [b.documents["correspondence"].pk, b.attachment.pk],
        "msg_id": [b.staff_message.pk],
        "key": [b.staged.key],
    }
    child = next((key for key in route.kwargs if key in children), None)
    if "pk" in route.kwargs:
        if not route.route.startswith("dossiers/"):
            raise UnfilledRoute(f"{route.name} ({route.route}): what does pk name?")
        base = [{"pk": b.person_dossier.pk}]
        if child:
            # B's file or message under a dossier of A's that the role may see.
            base.append({"pk": OWN_DOSSIER})
        variants = []
        for values in base:
            for value in children[child] if child else [None]:
                combined = dict(values)
                if child:
                    combined[child] = value
                if "page" in route.kwargs:  # a page image of the viewer (R-SIG-3)
                    combined["page"] = 1
                for tab in TABS if "tab" in route.kwargs else [None]:
                    if tab:
                        variants.append({**combined, "tab": tab})
                    else:
                        variants.append(combined)
        return variants
    return []


def _pick(route: Route, values: dict[str, Any]) -> dict[str, Any]:
    unknown = [key for key in route.kwargs if key not in values]
    if unknown:
        raise UnfilledRoute(f"{route.name} ({route.route}): no object of office B for {unknown}")
    return {key: values[key] for key in route.kwargs}


def _workspace_values(route: Route, a: OfficeData, b: OfficeData) -> list[dict[str, Any]]:
    if route.route.startswith("kantoor/klanten/"):
        pk, own = b.company.pk, a.company.pk
    elif route.route.startswith("kantoor/dossiers/"):
        pk, own = b.person_dossier.pk, a.person_dossier.pk
    else:
        pk = own = None
    values = {
        "msg_id": b.client_message.pk,
        "doc_id": b.attachment.pk,
        "action_id": b.upload_request.pk,
        "client_id": b.person.client_id,
        "user_id": b.company_extra.pk,
        "page": 1,
        "request_id": b.signing_request.pk,
    }
    if pk is not None:
        values["pk"] = pk
    variants = [_pick(route, values)]
    if "pk" in route.kwargs and len(route.kwargs) > 1:
        # B's message, client or account under A's dossier or client.
        variants.append({**variants[0], "pk": own})
    if "doc_id" in route.kwargs:
        variants.append({**variants[0], "doc_id": b.documents["correspondence"].pk})
    if "action_id" in route.kwargs:
        variants.append({**variants[0], "action_id": b.completed_questionnaire.pk})
        variants.append({**variants[0], "action_id": b.approval_request.pk})
    return variants


def _api_values(route: Route, a: OfficeData, b: OfficeData) -> list[dict[str, Any]]:
    resource = route.route.split("^", 1)[1].split("/", 1)[0]
    objects = {
        "clients": b.company.pk,
        "statuses": b.status.pk,
        "dossiers": b.person_dossier.pk,
        "documents": b.attachment.pk,
        "messages": b.client_message.pk,
        "questionnaire-templates": b.template.pk,
        "questionnaires": b.completed_questionnaire.pk,
        "upload-requests": b.upload_request.pk,
        "approval-requests": b.approval_request.pk,
        "signing-requests": b.signing_request.pk,
        "staff": b.handler.pk,
        "webhook-endpoints": b.endpoint.pk,
    }
    if resource not in objects:
        raise UnfilledRoute(f"{route.name}: no object of office B for /{resource}/")
    values = {"pk": objects[resource], "client_id": b.person.client_id, "position": 1}
    variants = [_pick(route, values)]
    if route.name == "api:dossier-revoke":
        variants.append({"pk": a.person_dossier.pk, "client_id": b.person.client_id})
    return variants


def _admin_values(route: Route, a: OfficeData, b: OfficeData) -> list[dict[str, Any]]:
    if route.name == "admin:view_on_site":
        return [
            {
                "content_type_id": ContentType.objects.get_for_model(Dossier).pk,
                "object_id": b.person_dossier.pk,
            }
        ]
    if route.name == "admin:auth_user_password_change":
        return [{"id": b.company_extra.pk}]
    if route.model is not None and len(route.kwargs) == 1:
        # The model admin's own pages and the extra pages it adds (a download, a PDF).
        return [{route.kwargs[0]: _admin_object(b, route.model).pk}]
    if route.kwargs == ("url",):
        # The admin's catch-all (adds a slash, or 404): B's dossier's change page, unslashed.
        return [{"url": f"dossiers/dossier/{b.person_dossier.pk}/change"}]
    if route.kwargs == ("app_label",):
        labels = re.search(r"\(\?P<app_label>([^)]*)\)", route.route).group(1)
        return [{"app_label": label} for label in labels.split("|")]
    return []


def _hosting_values(route: Route, a: OfficeData, b: OfficeData) -> list[dict[str, Any]]:
    """The hosting site (HOSTING_HOSTS only, tests/test_hosting_site.py) with office B: on A's
    host every one of its routes must be a 404."""
    values = {
        "object_id": b.office.pk,
        "content_type_id": ContentType.objects.get_for_model(type(b.office)).pk,
        "app_label": "offices",
        "url": f"offices/office/{b.office.pk}/change",
    }
    return [{key: values[key] for key in route.kwargs}]


# Search terms on the listing pages: B's dossier number and a word of both offices' names.
SEARCHES = {
    "dossiers:list": "q",
    "questionnaires:list": "q",
    "workspace:search": "q",
    "workspace:dossiers": "q",
    "workspace:clients": "q",
    "workspace:inbox": "q",
}


def fill(a: OfficeData, b: OfficeData, route_list: list[Route] | None = None) -> list[Request]:
    """Every route of the resolver as requests with B's objects; ``UnfilledRoute`` naming
    every route that cannot be filled in."""
    with tenancy.office_scope(b.office):
        return _fill(a, b, route_list)


def _fill(a: OfficeData, b: OfficeData, route_list: list[Route] | None) -> list[Request]:
    requests: list[Request] = []
    problems: list[str] = []
    fillers = {
        "client": _client_values,
        "workspace": _workspace_values,
        "api": _api_values,
        "admin": _admin_values,
        "hosting": _hosting_values,
    }
    for route in routes() if route_list is None else route_list:
        if any(key in SKIPPED_KWARGS for key in route.kwargs):
            continue
        try:
            variants = fillers[route.family](route, a, b) if route.kwargs else [{}]
        except UnfilledRoute as problem:
            problems.append(str(problem))
            continue
        if not variants or any(set(v) != set(route.kwargs) for v in variants):
            problems.append(f"{route.name} ({route.route}): arguments {route.kwargs}")
            continue
        methods = route.methods or (("get", "post") if route.kwargs else ("get",))
        if "token" in route.kwargs:
            kind = "link"
            methods = ("get",)
        elif set(route.kwargs) - PLAIN_ARGUMENTS:
            kind = "object"
        else:
            kind = "plain"
        for values in variants:
            path = _substitute(route.route, values)
            for method in methods:
                requests.append(Request(route.name, route.family, method, path, kind))
        if route.name in SEARCHES:
            for term in (b.numbers[0], "Holding"):
                requests.append(
                    Request(
                        route.name,
                        route.family,
                        "get",
                        f"{_substitute(route.route, {})}?{SEARCHES[route.name]}={term}",
                        "plain",
                        query=term,
                    )
                )
        if route.family == "api" and not route.kwargs and "get" in route.methods:
            requests.append(
                Request(
                    route.name,
                    route.family,
                    "get",
                    f"{_substitute(route.route, {})}?dossier={b.person_dossier.pk}",
                    "plain",
                )
            )
    if problems:
        raise UnfilledRoute(
            "routes the cross-office matrix cannot fill with office B's objects (fill them in, "
            "or skip them with the reason): " + "; ".join(problems)
        )
    return requests


# ---------------------------------------------------------------------------------------------
# The roles of office A.


@dataclass
class Role:
    name: str
    user: User | None = None
    token: str | None = None
    own_dossier: Dossier | None = None
    staff: bool = False
    families: tuple[str, ...] = ("client", "workspace", "admin", "hosting", "api")


def _signed_in(office: OfficeData, user: User, staff: bool) -> HttpClient:
    """A browser signed in at ``office`` as a request there would leave it: the session names
    its office (``SessionOfficeMiddleware``), staff passed the second factor."""
    http = HttpClient(raise_request_exception=False, HTTP_HOST=office.host)
    with tenancy.office_scope(office.office):
        http.force_login(user)
    session = http.session
    session[SESSION_KEY] = office.office.pk
    session.save()
    if staff:
        verify_second_factor(http)
    return http


def _body(response) -> str:
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    return raw.decode(errors="replace")


@dataclass
class Result:
    requests: int = 0
    leaks: list[str] = field(default_factory=list)


def _send(http: HttpClient, request: Request, host: str, token: str | None, follow=False):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    send = getattr(http, request.method)
    kwargs: dict[str, Any] = {"HTTP_HOST": host, "headers": headers, "follow": follow}
    if request.family == "api" and request.method != "get":
        # An empty JSON body: the object is looked up (and refused) before any field is read.
        return send(request.path, "{}", content_type="application/json", **kwargs)
    return send(request.path, **kwargs)


def _for_dossier(request: Request, dossier: Dossier) -> Request:
    """``request`` with the dossier of A's that its role may see (B's file or message under
    it), where the fill-in left it open."""
    return replace(request, path=request.path.replace(OWN_DOSSIER, str(dossier.pk)))


def _found_strings(body: str, needles: list[str], query: str) -> list[str]:
    lowered = body.lower()
    return [n for n in needles if n != query.lower() and n in lowered.replace(query.lower(), "")]


def _judge_on_own_host(request: Request, response, needles: list[str]) -> str | None:
    """The leak of one answer on A's host, described, or None."""
    status = response.status_code
    found = _found_strings(_body(response), needles, request.query)
    if found:
        return f"{status}, B's strings {found}"
    if status >= 500:
        return f"{status}"
    if request.kind == "object":
        location = response.get("Location", "")
        refused = status in REFUSALS or (
            status == 302
            and (
                location.startswith(LOGINS)
                # The admin: "no such object" sends to its index; its short object address
                # redirects to the change page for any id, without looking it up.
                or (
                    request.family == "admin" and location in ("/beheer/", f"{request.path}change/")
                )
            )
        )
        if not refused:
            return f"{status} {location}".strip()
    return None


def run_matrix(a: OfficeData, b: OfficeData) -> Result:
    requests = fill(a, b)
    result = Result()
    roles = [
        Role("client", a.person, own_dossier=a.person_dossier),
        Role("company extra account", a.company_extra, own_dossier=a.company_dossier),
        # The company's main account manages its extra accounts (B's extra account's id in
        # those pages); the staff interfaces refuse it as they refuse every client account.
        Role(
            "company main account",
            a.company_main,
            own_dossier=a.company_dossier,
            families=("client",),
        ),
        Role("handler", a.handler, own_dossier=a.person_dossier, staff=True),
        Role("administrator", a.administrator, own_dossier=a.person_dossier, staff=True),
        Role("API token", token=a.token_raw),
        Role("configuring API token", token=a.configuring_raw),
    ]
    needles = b.needles()
    for role in roles:
        http = (
            _signed_in(a, role.user, role.staff)
            if role.user
            else HttpClient(raise_request_exception=False)
        )
        for request in requests:
            if request.family not in role.families:
                continue
            if role.token and request.family != "api":
                continue  # a token signs nobody in outside the API: an anonymous visitor
            if role.user and request.family == "api" and request.route not in API_DOCUMENTS:
                # The API's calls read a token, never a session (401 before any lookup,
                # test_api_access.py): the tokens below try them.
                continue
            request = _for_dossier(request, role.own_dossier or a.person_dossier)
            result.requests += 1
            response = _send(http, request, a.host, role.token, follow=request.kind == "link")
            leak = _judge_on_own_host(request, response, needles)
            if role.user is not None:
                signed_in_as = http.session.get("_auth_user_id")
                if signed_in_as not in (None, str(role.user.pk)):
                    leak = f"signed in as user {signed_in_as}"
                if signed_in_as is None:
                    http = _signed_in(a, role.user, role.staff)
            if leak:
                result.leaks.append(
                    f"A's {role.name} on {a.host}: {request.method.upper()} {request.path}"
                    f" ({request.route}): {leak}"
                )
    return result


def _signed_in_user(response) -> str | None:
    """Who the request was signed in as: the user the request evaluated (if it did), or the
    account its session names (except on the office-less probes, which read no account)."""
    request = response.wsgi_request
    user = getattr(getattr(request, "user", None), "_wrapped", empty)
    if user is not empty and user.is_authenticated:
        return str(user.pk)
    if request.path.startswith(OFFICELESS_PREFIXES):
        return None
    session = getattr(request, "session", None)  # none: refused before the session was read
    return session.get("_auth_user_id") if session is not None else None


def _cookie_copy(http: HttpClient) -> SimpleCookie:
    copy: SimpleCookie = SimpleCookie()
    copy.load(http.cookies.output(header="", sep=";"))
    return copy


def _browser_with(cookie: SimpleCookie) -> HttpClient:
    http = HttpClient(raise_request_exception=False)
    http.cookies.load(cookie.output(header="", sep=";"))
    return http


def run_cookie_matrix(a: OfficeData, b: OfficeData) -> Result:
    """A's session cookies on B's host: every answer the one an anonymous visitor gets; A's
    API tokens on B's host: 401 from every API route."""
    # On B's host B's objects are that host's own: the same requests as above.
    requests = [r for r in fill(b, b) if r.kind != "link" or r.method == "get"]
    result = Result()
    needles = b.needles()
    cookies = {}
    # Two kinds of session: a client's, and a staff member's that passed the second factor.
    # The company's extra account and the handler have sessions of the same shape as these
    # (only the account id differs), refused by the same check: not tried again here.
    for role, user, staff, home in [
        ("client", a.person, False, "/mijn-gegevens/"),
        ("administrator", a.administrator, True, "/beheer/"),
    ]:
        cookies[role] = _cookie_copy(_signed_in(a, user, staff))
        # The control: the same cookie signs in on A's own host.
        assert _browser_with(cookies[role]).get(home, HTTP_HOST=a.host).status_code == 200, role
    for request in requests:
        request = _for_dossier(request, b.person_dossier)
        anonymous = _send(HttpClient(raise_request_exception=False), request, b.host, None)
        expected = (anonymous.status_code, anonymous.get("Location", ""))
        anonymous_strings = set(_found_strings(_body(anonymous), needles, request.query))
        for role, cookie in cookies.items():
            response = _send(_browser_with(cookie), request, b.host, None)
            result.requests += 1
            answer = (response.status_code, response.get("Location", ""))
            extra = set(_found_strings(_body(response), needles, request.query))
            extra -= anonymous_strings
            signed_in = _signed_in_user(response)
            if answer != expected or extra or signed_in or response.status_code >= 500:
                result.leaks.append(
                    f"A's {role} cookie on {b.host}: {request.method.upper()} {request.path}"
                    f" ({request.route}): {answer}, anonymous {expected}, strings {sorted(extra)},"
                    f" signed in {signed_in}"
                )
        if request.family != "api":
            continue
        allowed = {401, 403} if request.route in API_DOCUMENTS else {401}
        for name, raw in (("API token", a.token_raw), ("configuring API token", a.configuring_raw)):
            response = _send(HttpClient(raise_request_exception=False), request, b.host, raw)
            result.requests += 1
            if response.status_code not in allowed:
                result.leaks.append(
                    f"A's {name} on {b.host}: {request.method.upper()} {request.path}:"
                    f" {response.status_code}, expected {sorted(allowed)}"
                )
    return result


def _state_of(office: OfficeData) -> dict[str, Any]:
    """What the matrix must leave unchanged of office B: its rows and single-use links."""
    with tenancy.office_scope(office.office):
        return {
            "dossiers": list(Dossier.objects.values_list("pk", "status_id", "description")),
            "grants": sorted(Dossier.objects.values_list("pk", "grants__client_id"), key=str),
            "documents": list(Document.objects.values_list("pk", "office_seen_at", "title")),
            "messages": list(Message.objects.values_list("pk", "handled_at")),
            "actions": list(Action.objects.values_list("pk", "status")),
            "signing": list(SigningRequest.objects.values_list("pk", "status")),
            "staged": list(StagedUpload.objects.values_list("pk")),
            "users": list(User.objects.values_list("pk", "is_active", "password")),
            "links": list(AccountToken.objects.values_list("pk", "used_at")),
            "endpoints": list(WebhookEndpoint.objects.values_list("pk", "secret", "active")),
            "steps": list(ProgressStep.objects.values_list("pk", "title", "done")),
            "statuses": list(DossierStatus.objects.values_list("pk", "name")),
            "tokens": list(ApiToken.objects.values_list("pk", "revoked_at")),
            "passkeys": list(
                WebAuthnCredential.objects.filter(user__office=office.office).values_list("pk")
            ),
        }


@pytest.fixture
def offices(settings) -> Iterator[tuple[OfficeData, OfficeData]]:
    # Thousands of requests from one address: the rate limits (test_rate_limits.py) would
    # answer 429 long before the matrix is through.
    settings.RATELIMIT_ENABLE = False
    settings.API_RATE_PER_ADDRESS = "100000/m"
    settings.API_RATE_PER_TOKEN = "100000/m"
    a = build_office("Notariaat Noord", "a.example", "Alfa", 10001)
    b = build_office("Notariaat Zuid", "b.example", "Bravo", 90001)
    yield a, b


def _check_controls(a: OfficeData) -> None:
    """Each role of A reaches A's own objects on A's host, so that its refusals of B's mean
    something (a broken session would be refused everything)."""
    pages = [
        (a.person, False, f"/dossiers/{a.person_dossier.pk}/"),
        (a.company_extra, False, f"/dossiers/{a.company_dossier.pk}/"),
        (a.company_main, False, f"/mijn-gegevens/accounts/{a.company_extra.pk}/"),
        (a.handler, True, f"/kantoor/dossiers/{a.person_dossier.pk}/"),
        (a.administrator, True, f"/beheer/dossiers/dossier/{a.person_dossier.pk}/change/"),
        (a.administrator, True, f"/beheer/offices/office/{a.office.pk}/change/"),
        (a.administrator, True, f"/beheer/axes/accessattempt/{a.login_records[0].pk}/change/"),
    ]
    for user, staff, path in pages:
        response = _signed_in(a, user, staff).get(path, HTTP_HOST=a.host)
        assert response.status_code == 200, (user.email, path, response.status_code)
        assert a.tag.lower() in _body(response).lower(), (user.email, path)
    for path in ("/kantoor/logo/", "/toegankelijkheid/"):
        response = HttpClient().get(path, HTTP_HOST=a.host)
        assert response.status_code == 200, path
        assert a.tag.lower() in _body(response).lower(), path
    for raw, path in [
        (a.token_raw, f"/api/v1/dossiers/{a.person_dossier.pk}/"),
        (a.configuring_raw, f"/api/v1/webhook-endpoints/{a.endpoint.pk}/"),
    ]:
        response = HttpClient().get(
            path, HTTP_HOST=a.host, headers={"Authorization": f"Bearer {raw}"}
        )
        assert response.status_code == 200, (path, response.status_code)


def test_cross_office_matrix_R_TEN_2_R_TEN_3(offices, capsys):
    """R-TEN-2/R-TEN-3, issue 18: every route of the resolver × every role of office A against
    office B's objects on A's host, and A's cookies and API tokens on B's host: 0 leaks, B's
    data unchanged, no row of A's pointing to one of B's. Each role reaches A's own objects
    (the refusals are not those of a broken session)."""
    a, b = offices
    _check_controls(a)
    before = _state_of(b)
    own = run_matrix(a, b)
    foreign = run_cookie_matrix(a, b)
    after = _state_of(b)
    total = own.requests + foreign.requests
    leaks = own.leaks + foreign.leaks
    with capsys.disabled():
        print(
            f"\ncross-office matrix: {total} requests, {len(leaks)} leaks"
            f" ({own.requests} as office A's roles on {a.host} against B's objects,"
            f" {foreign.requests} with A's cookies and tokens on {b.host})"
        )
    assert leaks == [], "\n".join(leaks)
    assert after == before
    assert foreign_references() == []


def test_the_plain_cases_of_the_brief_R_TEN_2_R_TEN_3(offices):
    """R-TEN-2/R-TEN-3, the matrix's cases written out: B's webhook endpoint through A's API
    (a configuring token) is not found; A's API token on B's host is refused (401); A's session
    cookie on B's host is sent to the login page and signs nobody in."""
    a, b = offices
    endpoint = f"/api/v1/webhook-endpoints/{b.endpoint.pk}/"
    bearer = {"Authorization": f"Bearer {a.configuring_raw}"}
    assert HttpClient().get(endpoint, HTTP_HOST=a.host, headers=bearer).status_code == 404
    own = f"/api/v1/webhook-endpoints/{a.endpoint.pk}/"
    assert HttpClient().get(own, HTTP_HOST=a.host, headers=bearer).status_code == 200
    assert HttpClient().get(own, HTTP_HOST=b.host, headers=bearer).status_code == 401
    cookie = _cookie_copy(_signed_in(a, a.person, False))
    assert _browser_with(cookie).get("/mijn-gegevens/", HTTP_HOST=a.host).status_code == 200
    response = _browser_with(cookie).get("/mijn-gegevens/", HTTP_HOST=b.host)
    assert response.status_code == 302
    assert response["Location"].startswith("/inloggen/")
    assert _signed_in_user(response) is None


def _invoices(request, pk, invoice_id):
    return HttpResponse("")


def test_a_route_the_matrix_cannot_fill_fails_it_R_TEN_2(offices):
    """R-TEN-2: the matrix is built from the URL resolver: a new route whose arguments it
    cannot fill with office B's objects (here a made-up invoice of a dossier, and a workspace
    page of an unknown kind of object) stops it with the route's name; nothing is skipped
    silently."""
    a, b = offices
    patterns = [
        *get_resolver().url_patterns,
        route_path("dossiers/<int:pk>/facturen/<int:invoice_id>/", _invoices, name="invoices"),
        route_path(
            "kantoor/",
            include(
                ([route_path("facturen/<int:invoice_id>/", _invoices, name="invoice")], "workspace")
            ),
        ),
    ]
    with pytest.raises(UnfilledRoute) as refused:
        fill(a, b, routes(patterns))
    assert "invoices (dossiers/<int:pk>/facturen/<int:invoice_id>/)" in str(refused.value)
    assert "workspace:invoice" in str(refused.value)
    assert fill(a, b)  # the real resolver: every route filled in


def foreign_references() -> list[str]:
    """Rows of one office that point to another office's row (through any foreign key between
    office tables): none may exist, whatever was requested."""
    found = []
    with tenancy.cross_office():
        for model in apps.get_models():
            if "office" not in {f.name for f in model._meta.concrete_fields}:
                continue
            for relation in model._meta.concrete_fields:
                target = relation.related_model
                if (
                    not relation.many_to_one
                    or relation.name == "office"
                    or not isinstance(target, type)
                    or "office" not in {f.name for f in target._meta.concrete_fields}
                ):
                    continue
                rows = (
                    model._base_manager.filter(**{f"{relation.name}__office__isnull": False})
                    .exclude(**{f"{relation.name}__office": F("office")})
                    .values_list("pk", flat=True)
                )
                found += [f"{model.__name__} {pk}.{relation.name}" for pk in rows]
    return found


def test_office_b_ids_in_request_bodies_are_refused_R_TEN_2(offices):
    """R-TEN-2: office B's ids in what A's roles send (a status, a handler, a client, a
    template, a dossier, a message to answer), through the API and the workspace's forms, are
    refused as unknown; the same request with A's own object is accepted (the control). No row
    of one office ever points to another's."""
    a, b = offices
    token = a.token_raw
    handler = _signed_in(a, a.handler, True)

    def api(method: str, path: str, data: dict):
        return getattr(HttpClient(), method)(
            path,
            data,
            content_type="application/json",
            HTTP_HOST=a.host,
            headers={"Authorization": f"Bearer {token}"},
        )

    def workspace(method: str, path: str, data: dict):
        return handler.post(path, data, HTTP_HOST=a.host)

    dossier, company_dossier = a.person_dossier.pk, a.company_dossier.pk

    def cases(x: OfficeData) -> list[tuple[Any, str, str, dict]]:
        """The requests, naming ``x``'s objects (B's: refused; A's: the control)."""
        message = {"subject": "Vraag", "body": "Tekst"}
        return [
            (api, "post", "/api/v1/dossiers/", {"description": "Nieuw", "status": x.status.pk}),
            (api, "patch", f"/api/v1/dossiers/{company_dossier}/", {"status": x.status.pk}),
            (api, "patch", f"/api/v1/dossiers/{company_dossier}/", {"handler": x.handler.pk}),
            (
                api,
                "post",
                f"/api/v1/dossiers/{company_dossier}/grants/",
                {"client": x.person.client_id},
            ),
            (
                api,
                "post",
                "/api/v1/questionnaires/",
                {"template": x.template.pk, "dossier": dossier, "client": a.person.client_id},
            ),
            (
                api,
                "post",
                "/api/v1/upload-requests/",
                {
                    "dossier": x.person_dossier.pk,
                    "client": x.person.client_id,
                    "title_nl": "Kopie",
                },
            ),
            (
                api,
                "post",
                "/api/v1/approval-requests/",
                {
                    "dossier": dossier,
                    "document": x.documents["document"].pk,
                    "clients": [x.person.client_id],
                },
            ),
            (api, "post", "/api/v1/messages/", {"dossier": x.person_dossier.pk, **message}),
            (
                api,
                "post",
                "/api/v1/messages/",
                {"dossier": dossier, "reply_to": x.staff_message.pk, **message},
            ),
            (
                workspace,
                "post",
                "/kantoor/dossiers/nieuw/",
                {"description": "Nieuw", "status": x.status.pk},
            ),
            (
                workspace,
                "post",
                f"/kantoor/dossiers/{company_dossier}/wijzigen/",
                {"description": "Gewijzigd", "status": x.status.pk},
            ),
            (
                workspace,
                "post",
                f"/kantoor/dossiers/{company_dossier}/toegang/",
                {"email": x.person.email},
            ),
            (
                workspace,
                "post",
                f"/kantoor/dossiers/{dossier}/vragenlijst/",
                {
                    "questionnaire-template": x.template.pk,
                    "questionnaire-client": a.person.client_id,
                },
            ),
            (
                workspace,
                "post",
                f"/kantoor/dossiers/{dossier}/uploadverzoek/",
                {"upload-client": x.person.client_id, "upload-title_nl": "Kopie"},
            ),
        ]

    before = _state_of(b)
    for n, (foreign, own) in enumerate(zip(cases(b), cases(a), strict=True)):
        send, method, path, data = foreign
        if "nieuw" in path or path.endswith("/dossiers/"):
            data = {**data, "number": f"2026.5{n:04d}"}
        own_before = _state_of(a)
        refused = send(method, path, data)
        # The API: 400 (an unknown id) or 404; a workspace form is shown again with its
        # error (200 or 400), never the redirect of a change made.
        allowed = (400, 404) if send is api else (200, 400, 404)
        assert refused.status_code in allowed, (path, data, refused.status_code)
        assert _state_of(a) == own_before, (path, data)
        if "email" not in data:  # the grant form shows the address typed
            assert b.tag.lower() not in _body(refused).lower(), (path, data)
        assert foreign_references() == [], (path, data)
        send, method, path, data = own
        if "nieuw" in path or path.endswith("/dossiers/"):
            data = {**data, "number": f"2026.6{n:04d}"}
        control = send(method, path, data)
        assert control.status_code in (200, 201, 302), (path, data, control.status_code)
    assert foreign_references() == []
    assert _state_of(b) == before
