"""``manage.py demo``: the demo office with realistic Dutch dossiers, through the same services
as every other path. Idempotent: a second run keeps what is there and prints the logins again."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.accounts import services as accounts
from portal.accounts.models import Client, User
from portal.documents import services as documents
from portal.dossiers import services as dossiers
from portal.dossiers.models import Dossier
from portal.messaging import services as messaging
from portal.offices.models import DossierStatus, Office

PASSWORD = "Demo-portaal1"  # noqa: S105 - printed demo login, embedded mode only
DOMAIN = "demo.klantportaal.test"

STATUSES = [
    ("Nieuw", "New", False),
    ("In behandeling", "In progress", True),
    ("Wacht op stukken", "Waiting for documents", True),
    ("Passeren gepland", "Signing scheduled", True),
    ("Afgerond", "Completed", False),
]

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


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
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
        staff_email = f"notaris@{DOMAIN}"
        if User.objects.filter(email=staff_email).exists():
            self.stdout.write("Demo data already present; nothing changed.")
        else:
            self._load(staff_email)
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self._print_logins()

    @transaction.atomic
    def _load(self, staff_email: str) -> None:
        office = Office.current()
        office.name = "Notariskantoor Van Dam & De Boer"
        office.email_sender = f"portaal@{DOMAIN}"
        office.website = "https://www.example.nl"
        office.phone = "030 123 45 67"
        office.save()
        for position, (name, name_en, in_progress) in enumerate(STATUSES, start=1):
            DossierStatus.objects.update_or_create(
                name=name,
                defaults={"name_en": name_en, "in_progress": in_progress, "position": position},
            )
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
        statuses = {s.name: s for s in DossierStatus.objects.all()}
        for key, number, description, status, steps, done in DOSSIERS:
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

    def _messages(self, dossier: Dossier, staff: User, jan: User) -> None:
        """A short conversation in the house purchase (R-MSG-1): the office asks, Jan answers
        with an attachment, the office answers; the last one is unread for Jan."""
        question = messaging.send_message(
            dossier=dossier,
            sender=staff,
            subject="Kopie legitimatiebewijs",
            body=(
                "Beste heer De Vries,\n\nVoor de levering hebben wij een kopie van uw "
                "paspoort of identiteitskaart nodig. Wilt u die via dit bericht aanleveren?\n\n"
                "Met vriendelijke groet,\nmr. E. van Dam"
            ),
        )
        messaging.mark_read(message=question, user=jan)
        staged = documents.stage_upload(
            dossier=dossier,
            file=ContentFile(MINIMAL_PDF),
            name="kopie-paspoort-jan.pdf",
            by=jan,
        )
        answer = messaging.send_message(
            dossier=dossier,
            sender=jan,
            subject="Re: Kopie legitimatiebewijs",
            body="Beste mr. Van Dam,\n\nHierbij de kopie van mijn paspoort.\n\nJan de Vries",
            attachments=[staged],
            reply_to=question,
        )
        messaging.send_message(
            dossier=dossier,
            sender=staff,
            subject="Re: Kopie legitimatiebewijs",
            body="Dank u wel, wij hebben de kopie ontvangen. De concept-akte staat klaar.",
            reply_to=answer,
        )

    def _client(self, kind, name, local, full_name, staff, language="nl") -> Client:
        client = accounts.create_client(
            kind=kind,
            name=name,
            email=f"{local}@{DOMAIN}",
            full_name=full_name,
            language=language,
            invite=False,
            by=staff,
        )
        self._activate(client.accounts.get())
        return client

    def _activate(self, user: User) -> None:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])

    def _print_logins(self) -> None:
        rows = [
            (f"jan@{DOMAIN}", "person, several dossiers"),
            (f"sanne@{DOMAIN}", "person, exactly one dossier (English)"),
            (f"korenbloem@{DOMAIN}", "company, main account"),
            (f"boekhouding@{DOMAIN}", "company, extra account"),
            (f"notaris@{DOMAIN}", "office staff: /beheer/ (admin)"),
        ]
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {PASSWORD})")
        for email, what in rows:
            self.stdout.write(f"  {email:<40} {what}")
        self.stdout.write(f"  Invited, not yet set up: kees@{DOMAIN} (see /dev/outbox/)")
        self.stdout.write("")
