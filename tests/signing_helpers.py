"""Building signing requests for the tests of R-SIG-5: a published PDF of several pages, two
buyers with access and a second factor each, SMS codes read from the outbox backend."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.test import Client as HttpClient

from portal.accounts.models import User
from portal.documents import services as document_services
from portal.documents.models import Document
from portal.dossiers.models import Dossier
from portal.questionnaires import signing
from portal.questionnaires.models import SigningRequest
from portal.questionnaires.pdf import FONT, new_document
from portal.twofactor.models import SmsDevice

from .factories import DossierFactory, StaffFactory, UserFactory, grant

NUMBER = "+31612345678"


def pdf_bytes(pages: int = 2, label: str = "Volmacht") -> bytes:
    pdf = new_document()
    pdf.set_font(FONT, "", 14)
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.multi_cell(pdf.epw, 8, f"{label} pagina {n}")
    return bytes(pdf.output())


def publish_pdf(dossier: Dossier, *, title: str = "Volmacht levering", pages: int = 2):
    return document_services.publish_document(
        dossier=dossier,
        kind=Document.Kind.DOCUMENT,
        title=title,
        file=ContentFile(pdf_bytes(pages)),
        name="volmacht.pdf",
    )


def with_sms(user: User, number: str = NUMBER) -> SmsDevice:
    return SmsDevice.objects.create(user=user, name="sms", number=number, confirmed=True)


def sms_texts() -> list[str]:
    folder = Path(django_settings.SMS_DIR)
    return [p.read_text() for p in sorted(folder.glob("*.sms"))] if folder.is_dir() else []


def last_code() -> str:
    match = re.search(r"\b(\d{6})\b", sms_texts()[-1])
    assert match is not None
    return match.group(1)


@dataclass
class Scene:
    staff: User
    dossier: Dossier
    document: Document
    anna: User
    bram: User


def scene() -> Scene:
    """A dossier of two buyers (each their own client and account, each with SMS) and a
    published two-page PDF "Volmacht levering"."""
    staff = StaffFactory()
    dossier = DossierFactory(description="Levering Dorpsstraat 1")
    anna = UserFactory(full_name="Anna de Vries", email="anna@example.test")
    bram = UserFactory(full_name="Bram Jansen", email="bram@example.test")
    for user in (anna, bram):
        grant(dossier, user.client)
        with_sms(user)
    return Scene(staff, dossier, publish_pdf(dossier), anna, bram)


def ask(s: Scene) -> SigningRequest:
    return signing.request_signatures(
        document=s.document, accounts=[s.anna, s.bram], explanation="Graag tekenen.", by=s.staff
    )


def page_url(signing_request: SigningRequest, user: User) -> str:
    action_id = signing_request.signers.get(account=user).action_id
    return f"/acties/{action_id}/ondertekenen/"


def sign_by_sms(http: HttpClient, url: str):
    """Through the page: a code sent now, the box ticked, the code entered."""
    response = http.post(url, {"op": "sms"})
    assert response.status_code == 302, response.content.decode()[:500]
    return http.post(url, {"op": "sign", "read": "1", "code": last_code()})


def logged_in(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http
