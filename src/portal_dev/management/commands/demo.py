"""``manage.py demo``: two demo offices with realistic Dutch dossiers, through the same services
as every other path: Van Dam & De Boer at http://localhost:8000/ and Het Baken at
http://127.0.0.1:8000/ (R-TEN-1), each with its own branding, clients, staff and logins, so the
separation shows at once. Idempotent: a second run keeps what is there and prints the logins
again."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import services as accounts
from portal.accounts.models import Client, User
from portal.accounts.roles import Role
from portal.audit.services import record
from portal.core import tenancy
from portal.documents import services as documents
from portal.dossiers import services as dossiers
from portal.dossiers.models import Dossier
from portal.messaging import services as messaging
from portal.offices import services as offices
from portal.offices.logos import clean_logo
from portal.offices.models import DossierStatus, Office, OfficeHost
from portal.questionnaires import approvals, signing
from portal.questionnaires import services as actions
from portal.questionnaires.models import QuestionKind as Q
from portal.questionnaires.models import QuestionnaireTemplate

PASSWORD = "Demo-portaal1"  # noqa: S105 - printed demo login, embedded mode only
# The demo staff user's authenticator key (hex), printed by the command: embedded mode only.
DEMO_TOTP_KEY = "4b6c616e74706f727461616c2d64656d6f2d6b31"
DOMAIN = "demo.klantportaal.test"
DEMO_LOGO = Path(__file__).resolve().parents[2] / "demo-logo.svg"
# The second demo office's.
BAKEN_DOMAIN = "hetbaken.klantportaal.test"
BAKEN_LOGO = Path(__file__).resolve().parents[2] / "demo-logo-baken.svg"

STATUSES = offices.DEFAULT_STATUSES

LEVERING = [
    "Koopovereenkomst ontvangen",
    "Identiteit gecontroleerd",
    "Kadaster en hypotheekregister onderzocht",
    "Nota van afrekening opgesteld",
    "Concept-akte verstuurd",
    "Hypotheekgelden ontvangen",
    "Akte gepasseerd",
    "Inschrijving Kadaster",
    "Afrekening verzonden",
    "Dossier afgesloten",
]
TESTAMENT = [
    "Intakegesprek gevoerd",
    "Wensen vastgelegd",
    "Concept-testament verstuurd",
    "Testament ondertekend",
    "Ingeschreven in het Centraal Testamentenregister",
]
HYPOTHEEK = [
    "Hypotheekofferte ontvangen",
    "Getekende offerte ontvangen",
    "Concept-hypotheekakte verstuurd",
    "Akte gepasseerd",
    "Inschrijving hypotheekregister",
    "Dossier afgesloten",
]
OPRICHTING = [
    "Ondernemingsplan en statuten besproken",
    "Identiteit oprichters gecontroleerd",
    "Concept-statuten verstuurd",
    "Akte van oprichting gepasseerd",
    "Inschrijving Handelsregister",
    "Aandeelhoudersregister opgesteld",
]

# (client key, number, description, status, steps, done)
DOSSIERS = [
    ("jan", "2026.0142", "Levering woning Dorpsstraat 12, Utrecht", "In behandeling", LEVERING, 4),
    ("jan", "2026.0143", "Hypotheekakte Dorpsstraat 12, Utrecht", "Wacht op stukken", HYPOTHEEK, 2),
    ("jan", "2025.0877", "Testament J. de Vries", "Afgerond", TESTAMENT, 5),
    ("jan", "2026.0201", "Samenlevingscontract J. de Vries en M. Peters", "Nieuw", None, 0),
    (
        "sanne",
        "2026.0188",
        "Testament en levenstestament S. Bakker",
        "In behandeling",
        TESTAMENT,
        2,
    ),
    (
        "bv",
        "2026.0150",
        "Oprichting Bakkerij De Korenbloem B.V.",
        "Passeren gepland",
        OPRICHTING,
        3,
    ),
    ("bv", "2025.0610", "Statutenwijziging Bakkerij De Korenbloem B.V.", "Afgerond", None, 0),
]

OVERDRACHT = [
    "Koopovereenkomst aandelen ontvangen",
    "Aandeelhoudersregister gecontroleerd",
    "Concept-akte verstuurd",
    "Akte van levering aandelen gepasseerd",
    "Aandeelhoudersregister bijgewerkt",
]
# The second demo office's dossiers, numbered its own way.
BAKEN_DOSSIERS = [
    ("fatima", "B-2026.031", "Levering appartement Havenkade 8, Rotterdam", "In behandeling",
     LEVERING, 3),
    ("fatima", "B-2026.044", "Levenstestament F. el Amrani", "Nieuw", TESTAMENT, 0),
    ("spaak", "B-2026.027", "Aandelenoverdracht Fietsenmakerij De Spaak B.V.",
     "Passeren gepland", OVERDRACHT, 2),
]  # fmt: skip


def one_page_pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (ASCII), with a correct cross-reference table: what the
    office publishes is sealed (R-SIG-1), and a PDF that cannot be read cannot be sealed."""
    stream = f"BT /F1 14 Tf 72 760 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return pdf_of(objects)


def pdf_of(objects: list[bytes]) -> bytes:
    """A PDF file of ``objects`` (numbered from 1, the first the catalogue) with a correct
    cross-reference table, so that readers and the seal take it without repairing it."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


MINIMAL_PDF = one_page_pdf("Concept - voorbeeld")
DEMO_DOCUMENTS = [
    (
        "correspondence",
        "Bevestiging ontvangst koopovereenkomst",
        "brief-ontvangst-koopovereenkomst.txt",
        b"Geachte heer De Vries,\n\nHierbij bevestigen wij de ontvangst van de "
        b"koopovereenkomst voor Dorpsstraat 12 te Utrecht.\n\nMet vriendelijke groet,\n"
        b"mr. E. van Dam\n",
    ),
    ("document", "Concept-akte van levering", "concept-akte-levering.pdf", MINIMAL_PDF),
]


# Questionnaire templates: (title nl, title en, intro nl, intro en, pages); a page is
# (title nl, title en, questions); a question (kind, nl, en, required, help nl, help en,
# choices nl, choices en).
QUESTIONNAIRES = [
    (
        "Vragenlijst levering woning",
        "Questionnaire house purchase",
        "Met deze vragen bereiden wij de akte van levering en de nota van afrekening voor.",
        "With these questions we prepare the deed of transfer and the settlement statement.",
        [
            (
                "Uw gegevens",
                "Your details",
                [
                    (Q.SHORT_TEXT, "Volledige namen (zoals in uw paspoort)",
                     "Full names (as in your passport)", True, "", "", "", ""),
                    (Q.DATE, "Geboortedatum", "Date of birth", True, "", "", "", ""),
                    (Q.SHORT_TEXT, "Geboorteplaats", "Place of birth", True, "", "", "", ""),
                    (Q.SINGLE_CHOICE, "Burgerlijke staat", "Marital status", True, "", "",
                     "Ongehuwd\nGehuwd\nGeregistreerd partner\nGescheiden\nWeduwe/weduwnaar",
                     "Unmarried\nMarried\nRegistered partner\nDivorced\nWidowed"),
                    (Q.EMAIL, "E-mailadres", "E-mail address", True, "", "", "", ""),
                    (Q.PHONE, "Telefoonnummer", "Phone number", True,
                     "Zodat wij u kunnen bellen over de afspraak.",
                     "So that we can call you about the appointment.", "", ""),
                ],
            ),
            (
                "De woning en de financiering",
                "The house and the financing",
                [
                    (Q.NUMBER, "Koopsom in euro", "Purchase price in euros", True, "", "", "", ""),
                    (Q.DATE, "Gewenste datum van levering", "Preferred date of transfer", True,
                     "", "", "", ""),
                    (Q.YES_NO, "Sluit u een hypotheek af?", "Are you taking out a mortgage?",
                     True, "", "", "", ""),
                    (Q.MULTIPLE_CHOICE, "Welke roerende zaken neemt u over?",
                     "Which movable items do you take over?", False, "", "",
                     "Gordijnen\nVloerbedekking\nLampen\nKeukenapparatuur",
                     "Curtains\nFloor covering\nLamps\nKitchen appliances"),
                    (Q.IBAN, "IBAN voor de afrekening", "IBAN for the settlement", True,
                     "Het rekeningnummer waarop wij een eventueel bedrag terugstorten.",
                     "The account to which we refund any amount.", "", ""),
                    (Q.LONG_TEXT, "Opmerkingen", "Remarks", False, "", "", "", ""),
                ],
            ),
        ],
    ),
    (
        "Vragenlijst testament",
        "Questionnaire will",
        "Uw antwoorden helpen ons bij het voorbereiden van het gesprek over uw testament.",
        "Your answers help us prepare the meeting about your will.",
        [
            (
                "Uw situatie",
                "Your situation",
                [
                    (Q.SHORT_TEXT, "Volledige namen", "Full names", True, "", "", "", ""),
                    (Q.DATE, "Geboortedatum", "Date of birth", True, "", "", "", ""),
                    (Q.YES_NO, "Heeft u kinderen?", "Do you have children?", True, "", "", "",
                     ""),
                    (Q.NUMBER, "Aantal kinderen", "Number of children", False, "", "", "", ""),
                ],
            ),
            (
                "Uw wensen",
                "Your wishes",
                [
                    (Q.MULTIPLE_CHOICE, "Wat wilt u regelen?", "What do you want to arrange?",
                     True, "", "", "Erfgenamen\nVoogdij\nExecuteur\nLegaat aan een goed doel",
                     "Heirs\nGuardianship\nExecutor\nLegacy to a charity"),
                    (Q.SHORT_TEXT, "Naam van de executeur", "Name of the executor", False,
                     "Laat leeg als u dit nog niet weet.", "Leave empty if you do not know yet.",
                     "", ""),
                    (Q.LONG_TEXT, "Toelichting op uw wensen", "About your wishes", False, "",
                     "", "", ""),
                ],
            ),
        ],
    ),
]  # fmt: skip


class Command(BaseCommand):
    help = "Load the demo office and demo data (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Also load when DEBUG is off (never in production).",
        )

    def handle(self, *args, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Demo data is for the embedded mode (DEBUG=1); use --force to insist."
            )
        base = urlsplit(settings.PORTAL_BASE_URL)
        port = f":{base.port}" if base.port else ""
        demos = [
            DemoOffice(
                name="Notariskantoor Van Dam & De Boer",
                host="localhost",
                domain=DOMAIN,
                logo=DEMO_LOGO,
                load=self._load,
                logins=self._van_dam_logins,
            ),
            DemoOffice(
                name="Notariaat Het Baken",
                host="127.0.0.1",
                domain=BAKEN_DOMAIN,
                logo=BAKEN_LOGO,
                load=self._load_baken,
                logins=self._baken_logins,
            ),
        ]
        chosen: list[int] = []
        for number, demo in enumerate(demos, start=1):
            office = self._demo_office(demo, chosen, first=number == 1)
            chosen.append(office.pk)
            if number == 1 and base.hostname and base.hostname not in {d.host for d in demos}:
                # Served elsewhere too (make run HOST=0.0.0.0 PORTAL_BASE_URL=...): the first
                # demo office answers on the address of the links as well.
                self._serve_at(office, base.hostname.lower(), primary=False)
            with tenancy.office_scope(office):
                self._demo(demo, number, f"{base.scheme or 'http'}://{demo.host}{port}/")
        self.stdout.write("")
        self.stdout.write(
            "The two offices know nothing of each other: each has its own clients, staff and "
            "logins; a login of one does not work at the other's address."
        )
        self.stdout.write("")

    def _demo(self, demo: DemoOffice, number: int, address: str) -> None:
        """One demo office, in its scope: its data once, its logins every time."""
        staff_email = f"notaris@{demo.domain}"
        handler_email = f"behandelaar@{demo.domain}"
        self.stdout.write("")
        self.stdout.write(self.style.MIGRATE_HEADING(f"Demo office {number}: {demo.name}"))
        self.stdout.write(f"  {address}")
        self._office_logo(demo.logo)  # first, so the demo's e-mails carry it
        self._accessibility_statement(demo.domain)
        if User.objects.filter(email=staff_email).exists():
            self.stdout.write("Demo data already present; nothing changed.")
        else:
            demo.load(staff_email)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self._handler(handler_email)
        self._staff_totp([staff_email, handler_email])
        demo.logins(address)

    def _demo_office(self, demo: DemoOffice, chosen: list[int], *, first: bool) -> Office:
        """The demo office: the one its staff belong to (a second run), else the office served
        on its host name, else (the first demo) the installation's first office, else a new
        office; then served on its host name. A hosting step: it looks across offices."""
        with tenancy.cross_office():
            staff = User.objects.filter(email=f"notaris@{demo.domain}").first()
            office = None
            if staff is not None and staff.office_id is not None:
                office = Office.objects.get(pk=staff.office_id)
            if office is None:
                served = OfficeHost.objects.filter(name=demo.host).exclude(office__in=chosen)
                found = served.select_related("office").first()
                office = found.office if found is not None else None
            if office is None and first:
                office = Office.objects.order_by("pk").first()
            if office is None:
                # Its address may still be the other demo office's (a database of one office
                # upgraded with its links at this address): the demo's addresses are the demo's.
                OfficeHost.objects.filter(name=demo.host).delete()
                office = offices.create_office(name=demo.name, hosts=[demo.host])
            else:
                self._serve_at(office, demo.host, primary=True)
        return office

    def _serve_at(self, office: Office, host: str, *, primary: bool) -> None:
        with tenancy.cross_office():
            row = OfficeHost.objects.filter(name=host).first()
            if row is not None and row.office_id == office.pk:
                return
            has_primary = OfficeHost.objects.filter(office=office, primary=True).exists()
            if row is None:
                row = OfficeHost(name=host)
            row.office = office
            row.primary = primary and not has_primary
            row.save()

    def _office_logo(self, logo: Path) -> None:
        """The demo office's logo, a monogram made for the demo, checked like any logo (also
        added to demo data loaded before the office had one)."""
        office = Office.current()
        if office.logo:
            return
        with logo.open("rb") as handle:
            office.logo = clean_logo(handle)
        office.save()

    def _accessibility_statement(self, domain: str) -> None:
        """The demo office's contact details and accessibility statement (R-X-6), unless the
        office has filled in its own."""
        office = Office.current()
        if office.accessibility_statement_date:
            return
        today = timezone.localdate()
        office.phone = office.phone or "030 123 45 67"
        office.contact_email = office.contact_email or f"info@{domain}"
        office.accessibility_status = "B"
        office.accessibility_statement_date = today
        office.accessibility_evaluation_date = today
        office.accessibility_method = (
            "Eigen onderzoek door het kantoor: automatische controle met axe-core van alle "
            "paginasoorten (360 en 1280 pixels breed, Nederlands en Engels) en handmatige "
            "controle van WCAG 2.2 niveau AA, met alleen het toetsenbord en met een schermlezer."
        )
        office.accessibility_method_en = (
            "The office's own evaluation: automated checks with axe-core of every page type "
            "(360 and 1280 pixels wide, Dutch and English) and manual checks of WCAG 2.2 level "
            "AA, with the keyboard only and with a screen reader."
        )
        office.accessibility_known_issues = (
            "Documenten die het kantoor als pdf deelt zijn niet altijd toegankelijk; "
            "op verzoek sturen wij een toegankelijke versie.\n"
            "Het beheer (/beheer/) voor medewerkers is nog niet volledig onderzocht; "
            "dat doen wij in het komende kwartaal."
        )
        office.accessibility_known_issues_en = (
            "Documents the office shares as PDF are not always accessible; on request we send "
            "an accessible version.\n"
            "The administration for staff (/beheer/) has not been fully evaluated yet; we will "
            "do so in the coming quarter."
        )
        office.accessibility_email = f"toegankelijkheid@{domain}"
        office.accessibility_complaints = (
            "Bent u niet tevreden over hoe wij uw melding hebben behandeld? Dien dan een klacht "
            "in via de klachtenregeling van ons kantoor. Komen wij er samen niet uit, dan kunt "
            "u zich wenden tot de Geschillencommissie Notariaat."
        )
        office.accessibility_complaints_en = (
            "Not satisfied with how we handled your report? File a complaint through our "
            "office's complaints procedure. If we cannot resolve it together, you can turn to "
            "the Dutch notarial disputes committee (Geschillencommissie Notariaat)."
        )
        office.save()

    def _handler(self, email: str) -> None:
        """A handler next to the office administrator (notaris@): the workspace only, no admin
        (also added to demo data loaded before staff had roles)."""
        if not User.objects.filter(email=email).exists():
            User.objects.create_user(
                email,
                PASSWORD,
                full_name="mr. drs. P. de Boer",
                language="nl",
                is_staff=True,
                staff_role=Role.HANDLER,
            )

    def _staff_totp(self, emails: list[str]) -> None:
        """The staff workspace needs two-step verification: each demo staff user gets an
        authenticator-app device with the same fixed, printed demo key (embedded mode only)."""

        device = None
        for staff in User.objects.filter(email__in=emails):
            device = TOTPDevice.objects.filter(user=staff, confirmed=True).first()
            if device is None:
                device = TOTPDevice.objects.create(
                    user=staff, name="demo app", key=DEMO_TOTP_KEY, confirmed=True
                )
        if device is None:
            return
        secret = base64.b32encode(device.bin_key).decode().rstrip("=")
        self.stdout.write("")
        self.stdout.write(f"Two-step verification of {' and '.join(emails)} (the same key):")
        self.stdout.write(f"  authenticator key: {secret}")
        self.stdout.write(f"  otpauth URI: {device.config_url}")
        self.stdout.write(f"  or a code in a shell: oathtool --totp -b {secret}")

    @transaction.atomic
    def _load(self, staff_email: str) -> None:
        office = Office.current()
        office.name = "Notariskantoor Van Dam & De Boer"
        office.email_sender = f"portaal@{DOMAIN}"
        office.website = "https://www.example.nl"
        office.phone = "030 123 45 67"
        office.save()
        self._statuses()
        staff = User.objects.create_superuser(
            staff_email, PASSWORD, full_name="mr. E. van Dam", language="nl"
        )

        clients = {
            "jan": self._client(Client.Kind.PERSON, "J. de Vries", "jan", "Jan de Vries", staff),
            "sanne": self._client(
                Client.Kind.PERSON, "S. Bakker", "sanne", "Sanne Bakker", staff, language="en"
            ),
            "bv": self._client(
                Client.Kind.COMPANY,
                "Bakkerij De Korenbloem B.V.",
                "korenbloem",
                "Piet Hendriks",
                staff,
            ),
        }
        extra = accounts.add_account(
            client=clients["bv"],
            email=f"boekhouding@{DOMAIN}",
            full_name="Anja Smit",
            invite=False,
            by=staff,
        )
        self._activate(extra)
        self._dossiers(DOSSIERS, clients, staff)
        # Something to read in Jan's house purchase: a letter and a draft deed, published like
        # staff publish them.
        levering = Dossier.objects.get(number="2026.0142")
        for kind, title, name, content in DEMO_DOCUMENTS:
            documents.publish_document(
                dossier=levering,
                kind=kind,
                title=title,
                file=ContentFile(content),
                name=name,
                by=staff,
            )
        self._messages(levering, staff, clients["jan"].accounts.get())
        self._actions(staff, clients)
        # A client who was invited but has not set up the account yet: the dev outbox holds
        # the invitation e-mail to follow.
        accounts.create_client(
            kind=Client.Kind.PERSON,
            name="K. Jansen",
            email=f"kees@{DOMAIN}",
            full_name="Kees Jansen",
            invite=True,
            by=staff,
        )

    @transaction.atomic
    def _load_baken(self, staff_email: str) -> None:
        """The second demo office: other branding, other people, other dossiers."""
        office = Office.current()
        office.name = "Notariaat Het Baken"
        office.primary_colour = "#1d5c4b"
        office.accent_colour = "#b3690e"
        office.email_sender = f"portaal@{BAKEN_DOMAIN}"
        office.website = "https://www.example.org"
        office.phone = "010 765 43 21"
        office.save()
        self._statuses()
        staff = User.objects.create_superuser(
            staff_email, PASSWORD, full_name="mr. L. Wouters", language="nl"
        )
        clients = {
            "fatima": self._client(
                Client.Kind.PERSON, "F. el Amrani", "fatima", "Fatima el Amrani", staff,
                domain=BAKEN_DOMAIN,
            ),
            "spaak": self._client(
                Client.Kind.COMPANY, "Fietsenmakerij De Spaak B.V.", "spaak", "Ruud Verbeek",
                staff, domain=BAKEN_DOMAIN,
            ),
        }  # fmt: skip
        self._dossiers(BAKEN_DOSSIERS, clients, staff)
        appartement = Dossier.objects.get(number="B-2026.031")
        documents.publish_document(
            dossier=appartement,
            kind="document",
            title="Concept-akte van levering Havenkade 8",
            file=ContentFile(MINIMAL_PDF),
            name="concept-akte-havenkade.pdf",
            by=staff,
        )
        messaging.send_message(
            dossier=appartement,
            sender=staff,
            subject="Afspraak voor de overdracht",
            body=(
                "Beste mevrouw El Amrani,\n\nDe overdracht van uw appartement plannen wij graag "
                "in de week van 14 december. Past dat u?\n\nMet vriendelijke groet,\n"
                "mr. L. Wouters"
            ),
        )

    def _baken_logins(self, address: str) -> None:
        self._print_logins(
            address,
            [
                (f"fatima@{BAKEN_DOMAIN}", "person, two dossiers"),
                (f"spaak@{BAKEN_DOMAIN}", "company, one dossier"),
                (
                    f"notaris@{BAKEN_DOMAIN}",
                    "office administrator: /kantoor/ and /beheer/; code above",
                ),
                (f"behandelaar@{BAKEN_DOMAIN}", "handler: /kantoor/ (workspace only); code above"),
            ],
        )

    def _messages(self, dossier: Dossier, staff: User, jan: User) -> None:
        """A short conversation in the house purchase (R-MSG-1): the office asks, Jan answers
        with an attachment, the office answers; the last one is unread for Jan."""
        question = messaging.send_message(
            dossier=dossier,
            sender=staff,
            subject="Getekende koopovereenkomst",
            body=(
                "Beste heer De Vries,\n\nWij hebben nog geen door beide partijen getekend "
                "exemplaar van de koopovereenkomst. Wilt u dat via dit bericht aanleveren?\n\n"
                "Met vriendelijke groet,\nmr. E. van Dam"
            ),
        )
        messaging.mark_read(message=question, user=jan)
        staged = documents.stage_upload(
            dossier=dossier,
            file=ContentFile(MINIMAL_PDF),
            name="koopovereenkomst-getekend.pdf",
            by=jan,
        )
        answer = messaging.send_message(
            dossier=dossier,
            sender=jan,
            subject="Re: Getekende koopovereenkomst",
            body="Beste mr. Van Dam,\n\nHierbij de getekende koopovereenkomst.\n\nJan de Vries",
            attachments=[staged],
            reply_to=question,
        )
        messaging.send_message(
            dossier=dossier,
            sender=staff,
            subject="Re: Getekende koopovereenkomst",
            body="Dank u wel, wij hebben de koopovereenkomst ontvangen. De concept-akte volgt.",
            reply_to=answer,
        )

    def _actions(self, staff: User, clients: dict[str, Client]) -> None:
        """Acties: the two questionnaires, Jan's half answered; and an upload request."""
        templates = {}
        for title_nl, title_en, intro_nl, intro_en, pages in QUESTIONNAIRES:
            template = QuestionnaireTemplate.objects.create(
                title_nl=title_nl, title_en=title_en, intro_nl=intro_nl, intro_en=intro_en
            )
            for position, (page_nl, page_en, questions) in enumerate(pages, start=1):
                page = template.pages.create(position=position, title_nl=page_nl, title_en=page_en)
                for n, (
                    kind,
                    text_nl,
                    text_en,
                    required,
                    help_nl,
                    help_en,
                    c_nl,
                    c_en,
                ) in enumerate(questions):
                    page.questions.create(
                        position=n,
                        kind=kind,
                        text_nl=text_nl,
                        text_en=text_en,
                        required=required,
                        help_nl=help_nl,
                        help_en=help_en,
                        choices_nl=c_nl,
                        choices_en=c_en,
                    )
            templates[title_nl] = template
        levering = Dossier.objects.get(number="2026.0142")
        jan = clients["jan"]
        half = actions.send_questionnaire(
            template=templates["Vragenlijst levering woning"],
            dossier=levering,
            client=jan,
            by=staff,
        )
        # Jan filled in the first page and pressed "Volgende": he resumes on page 2.
        keys = [q["key"] for q in half.pages[0]["questions"]]
        answers = dict(
            zip(
                keys,
                ["Jan Willem de Vries", "1984-03-17", "Utrecht", "1", f"jan@{DOMAIN}",
                 "06 12345678"],
                strict=True,
            )
        )  # fmt: skip
        actions.save_page(
            action=half, index=0, answers=answers, valid=True, version=0, by=jan.accounts.get()
        )
        actions.send_questionnaire(
            template=templates["Vragenlijst testament"],
            dossier=Dossier.objects.get(number="2026.0188"),
            client=clients["sanne"],
            by=staff,
        )
        actions.request_upload(
            dossier=levering,
            client=jan,
            title_nl="Kopie legitimatiebewijs",
            title_en="Copy of your ID document",
            description_nl="Een kopie van de voor- en achterkant van uw paspoort of ID-kaart.",
            description_en="A copy of the front and back of your passport or identity card.",
            by=staff,
        )
        # The draft deed to approve by a date (R-SIG-4), and a power of attorney to sign with a
        # second factor (R-SIG-5), both under Jan's "Acties".
        approvals.request_approval(
            dossier=levering,
            document=levering.documents.get(title="Concept-akte van levering"),
            clients=[jan],
            due_date=timezone.localdate() + timedelta(days=14),
            explanation="Graag uw akkoord op de concept-akte, of laat weten wat er anders moet.",
            by=staff,
        )
        power_of_attorney = documents.publish_document(
            dossier=levering,
            kind="document",
            title="Volmacht levering",
            file=ContentFile(one_page_pdf("Volmacht levering - voorbeeld")),
            name="volmacht-levering.pdf",
            by=staff,
        )
        signing.request_signatures(
            document=power_of_attorney,
            accounts=[jan.accounts.get()],
            explanation="Met deze volmacht hoeft u niet zelf bij de overdracht te zijn.",
            by=staff,
        )

    def _client(self, kind, name, local, full_name, staff, language="nl", domain=DOMAIN) -> Client:
        client = accounts.create_client(
            kind=kind,
            name=name,
            email=f"{local}@{domain}",
            full_name=full_name,
            language=language,
            invite=False,
            by=staff,
        )
        self._activate(client.accounts.get())
        return client

    def _statuses(self) -> None:
        """The office's statuses, as a new office gets them (a second run changes nothing)."""
        for position, (name, name_en, in_progress, closes) in enumerate(STATUSES, start=1):
            DossierStatus.objects.update_or_create(
                name=name,
                defaults={
                    "name_en": name_en,
                    "in_progress": in_progress,
                    "closes_dossier": closes,
                    "position": position,
                },
            )

    def _dossiers(self, rows, clients, staff) -> None:
        """The office's demo dossiers, each with its progress and its client, as staff make
        them."""
        statuses = {s.name: s for s in DossierStatus.objects.all()}
        for key, number, description, status, steps, done in rows:
            dossier = dossiers.create_dossier(
                number=number,
                description=description,
                status=statuses[status],
                handler=staff,
                by=staff,
            )
            if steps:
                dossiers.set_progress(
                    dossier=dossier,
                    steps=[(title, i < done) for i, title in enumerate(steps)],
                    by=staff,
                )
            dossiers.grant_access(dossier=dossier, client=clients[key], by=staff)

    def _activate(self, user: User) -> None:
        """A demo login is an account that went through its invitation: its password is set
        (so the workspace shows it accepted and a company's accounts list shows it active)."""
        user.set_password(PASSWORD)
        user.password_set_at = timezone.now()
        user.save(update_fields=["password", "password_set_at"])
        record("account.password_set", actor=user, target=user)

    def _van_dam_logins(self, address: str) -> None:
        rows = [
            (f"jan@{DOMAIN}", "person, several dossiers"),
            (f"sanne@{DOMAIN}", "person, exactly one dossier (English)"),
            (f"korenbloem@{DOMAIN}", "company, main account"),
            (f"boekhouding@{DOMAIN}", "company, extra account"),
            (
                f"notaris@{DOMAIN}",
                "office administrator: /kantoor/ (workspace) and /beheer/ (configuration); "
                "code above",
            ),
            (f"behandelaar@{DOMAIN}", "handler: /kantoor/ (workspace only); code above"),
        ]
        self._print_logins(address, rows)
        self.stdout.write(f"  Invited, not yet set up: kees@{DOMAIN} (see {address}dev/outbox/)")

    def _print_logins(self, address: str, rows: list[tuple[str, str]]) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins at {address} (password for all: {PASSWORD})")
        for email, what in rows:
            self.stdout.write(f"  {email:<40} {what}")


@dataclass(frozen=True)
class DemoOffice:
    name: str
    host: str
    domain: str
    logo: Path
    load: Callable[[str], None]
    logins: Callable[[str], None]
