"""``manage.py generate_data --scale N [--offices M]``: a large, realistic data set for the
benchmarks.

At ``--scale 1``: 20,000 clients (one account each), 50,000 dossiers, 500,000 documents,
1,000,000 messages, progress steps, access grants, read marks and open actions; a few heavy
clients with 200 dossiers each, and one heavy dossier with 1,000 documents and 1,000 messages.

Unlike ``manage.py demo`` this does NOT go through the services: rows are bulk-inserted in
batches (no audit entries, no e-mails, no upload checks). Every document points at one of a
handful of small files written once to the private storage, so the disk stays small. Names,
addresses and descriptions come from small Dutch word lists with a fixed random seed.

With ``--offices M`` the data is spread over M offices (R-TEN-1): each holds the plan of
``scale / M`` (its own heavy clients and heavy dossier, so every office's pages can be measured
alike) and the same e-mail addresses, as separate accounts (R-TEN-3). Office 1 is served on
``127.0.0.1`` (where the benchmarks send their requests) and ``office-1.bench.test``, office n on
``office-n.bench.test``.

For throw-away databases only: it refuses to run when DEBUG is off unless ``--force``, and it
refuses a database that already holds generated data.
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from portal.accounts.models import Client, User
from portal.accounts.roles import Role
from portal.core import tenancy
from portal.documents.models import Document, DocumentRead
from portal.dossiers.models import Dossier, DossierAccess, ProgressStep
from portal.messaging.models import Message, MessageRead
from portal.offices import services as office_services
from portal.offices.models import DossierStatus, Office, OfficeHost
from portal.questionnaires.models import Action, QuestionKind, QuestionnaireTemplate

from .demo import HYPOTHEEK, LEVERING, MINIMAL_PDF, OPRICHTING, STATUSES, TESTAMENT

DOMAIN = "bench.klantportaal.test"
PASSWORD = "Bench-portaal1"  # noqa: S105 - printed login of a throw-away benchmark database
STAFF_EMAIL = f"notaris@{DOMAIN}"
# Where the benchmarks send their requests: office 1's host name.
BENCH_HOST = "127.0.0.1"
BATCH = 5000

FIRST_NAMES = [
    "Jan",
    "Piet",
    "Kees",
    "Willem",
    "Henk",
    "Sanne",
    "Anouk",
    "Lotte",
    "Fleur",
    "Emma",
    "Daan",
    "Sem",
    "Lucas",
    "Bram",
    "Thijs",
    "Ruben",
    "Noor",
    "Julia",
    "Sophie",
    "Tess",
    "Femke",
    "Marieke",
    "Joost",
    "Bas",
    "Maarten",
    "Ingrid",
    "Wilma",
    "Gerrit",
    "Hendrik",
    "Anna",
    "Mila",
    "Zoë",
    "Finn",
    "Levi",
    "Jesse",
    "Lieke",
    "Eva",
    "Roos",
    "Sven",
    "Tim",
]
LAST_NAMES = [
    "de Vries",
    "Jansen",
    "de Jong",
    "van den Berg",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "van den Heuvel",
    "van der Veen",
    "van Dijk",
    "Schouten",
    "Willems",
    "Hoekstra",
    "Koster",
    "Prins",
    "Blom",
    "Huisman",
    "Post",
    "Kuipers",
]
STREETS = [
    "Dorpsstraat",
    "Kerkstraat",
    "Molenweg",
    "Stationsweg",
    "Schoolstraat",
    "Julianalaan",
    "Beatrixstraat",
    "Wilhelminastraat",
    "Nieuwstraat",
    "Marktplein",
    "Hoofdstraat",
    "Kastanjelaan",
    "Eikenlaan",
    "Lindenlaan",
    "Prinsengracht",
    "Herengracht",
    "Oranjestraat",
    "Parallelweg",
    "Sportlaan",
    "Vondelstraat",
    "Zuiderzeeweg",
    "Burgemeester de Withstraat",
    "Koningin Emmaplein",
    "Nassaulaan",
    "Rembrandtlaan",
]
CITIES = [
    "Utrecht",
    "Amsterdam",
    "Rotterdam",
    "Den Haag",
    "Eindhoven",
    "Groningen",
    "Tilburg",
    "Almere",
    "Breda",
    "Nijmegen",
    "Apeldoorn",
    "Haarlem",
    "Arnhem",
    "Amersfoort",
    "Zwolle",
    "Leiden",
    "Maastricht",
    "Dordrecht",
    "Zoetermeer",
    "Delft",
    "Alkmaar",
    "Gouda",
    "Zeist",
    "Hilversum",
    "Deventer",
]
COMPANY_WORDS = [
    "Bakkerij De Korenbloem",
    "Installatiebedrijf Van Dam",
    "Bouwbedrijf De Toren",
    "Kapsalon Knip",
    "Adviesbureau Horizon",
    "Transport Noord",
    "Tuincentrum De Linde",
    "Garage Centrum",
    "Zorgpraktijk Het Anker",
    "Drukkerij Letterwerk",
    "Schildersbedrijf Kwast",
    "Veehouderij De Wei",
]
PROPERTY_KINDS = [
    "Levering woning",
    "Hypotheekakte",
    "Levering appartementsrecht",
    "Splitsing in appartementsrechten",
    "Royement hypotheek",
]
PERSONAL_KINDS = [
    "Testament",
    "Levenstestament",
    "Samenlevingscontract",
    "Huwelijkse voorwaarden",
    "Schenking",
    "Verklaring van erfrecht",
    "Boedelscheiding",
    "Volmacht",
]
COMPANY_KINDS = ["Oprichting", "Statutenwijziging", "Aandelenoverdracht"]
STEP_LISTS = [LEVERING, HYPOTHEEK, TESTAMENT, OPRICHTING]
DOCUMENT_TITLES = {
    Document.Kind.CORRESPONDENCE: [
        "Bevestiging ontvangst opdracht",
        "Brief over de planning",
        "Nota van afrekening",
        "Uitnodiging ondertekening",
        "Bevestiging inschrijving Kadaster",
    ],
    Document.Kind.DOCUMENT: [
        "Concept-akte",
        "Definitieve akte",
        "Kadastraal uittreksel",
        "Hypotheekofferte",
        "Taxatierapport",
    ],
    Document.Kind.SUPPLIED: [
        "Kopie paspoort",
        "Koopovereenkomst",
        "Loonstrook",
        "Energielabel",
        "Uittreksel KvK",
    ],
}
SUBJECTS = [
    "Vraag over de akte",
    "Planning van de ondertekening",
    "Ontbrekende stukken",
    "Nota van afrekening",
    "Wijziging in de gegevens",
    "Bevestiging afspraak",
    "Vraag over de kosten",
]
SENTENCES = [
    "Dank voor uw bericht.",
    "Wij hebben de stukken in goede orde ontvangen.",
    "Kunt u een kopie van uw identiteitsbewijs aanleveren?",
    "De ondertekening staat gepland in de komende weken.",
    "Graag ontvangen wij nog de getekende koopovereenkomst.",
    "Wilt u de nota van afrekening controleren?",
    "Heeft u nog vragen, neem dan gerust contact met ons op.",
    "Ik heb de concept-akte gelezen en heb nog een vraag over artikel 3.",
    "Is het mogelijk de afspraak een week te verschuiven?",
    "Met vriendelijke groet,",
]
# (stored file name, content type, original name, content): the few real files every document
# points at.
SAMPLE_FILES = [
    ("sample.pdf", "application/pdf", "akte.pdf", MINIMAL_PDF),
    (
        "sample.txt",
        "text/plain",
        "brief.txt",
        b"Geachte heer, mevrouw,\n\nHierbij ontvangt u de stukken.\n\nMet vriendelijke groet,\n"
        b"mr. E. van Dam\n",
    ),
]
START = datetime(2015, 1, 1, tzinfo=UTC)
SPAN_SECONDS = int((datetime(2026, 11, 1, tzinfo=UTC) - START).total_seconds())


@dataclass(frozen=True)
class Plan:
    """How many rows of each kind ``--scale`` makes."""

    clients: int
    heavy_clients: int
    heavy_dossiers_each: int
    dossiers: int
    documents: int
    messages: int
    heavy_documents: int
    heavy_messages: int

    @classmethod
    def for_scale(cls, scale: float) -> Plan:
        heavy_clients = max(1, min(5, round(20 * scale)))
        heavy_each, heavy_docs, heavy_msgs = 200, 1000, 1000
        dossiers = max(round(50_000 * scale), heavy_clients * heavy_each + 10)
        return cls(
            clients=max(round(20_000 * scale), heavy_clients + 10),
            heavy_clients=heavy_clients,
            heavy_dossiers_each=heavy_each,
            dossiers=dossiers,
            documents=max(round(500_000 * scale), heavy_docs + dossiers),
            messages=max(round(1_000_000 * scale), heavy_msgs + dossiers),
            heavy_documents=heavy_docs,
            heavy_messages=heavy_msgs,
        )


def heavy_email(n: int) -> str:
    return f"zwaar{n + 1}@{DOMAIN}"


def office_host(n: int) -> str:
    return f"office-{n}.bench.test"


class Command(BaseCommand):
    help = "Bulk-generate a large realistic data set for benchmarks (throw-away databases only)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=0.01, help="1.0 is the full size.")
        parser.add_argument("--seed", type=int, default=9)
        parser.add_argument(
            "--offices", type=int, default=1, help="spread the data over this many offices"
        )
        parser.add_argument(
            "--force", action="store_true", help="Also run when DEBUG is off (never production)."
        )

    def handle(self, *args, scale: float, seed: int, force: bool, offices: int, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Generated data is for throw-away benchmark databases (DEBUG=1); "
                "use --force to insist."
            )
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        if offices < 1:
            raise CommandError("--offices must be at least 1.")
        with tenancy.cross_office():
            if User.objects.filter(email=STAFF_EMAIL).exists():
                raise CommandError("This database already holds generated data; use a fresh one.")
        self.verbosity = options["verbosity"]
        self.plan = Plan.for_scale(scale / offices)
        self.timings: dict[str, float] = {}
        started = time.perf_counter()
        first: tuple[int, int] | None = None
        for n in range(1, offices + 1):
            office = self._office(n)
            self.rng = random.Random(seed + n - 1)  # noqa: S311 - test data, not secrets
            with tenancy.office_scope(office), transaction.atomic(), explicit_dates():
                self._generate()
            if first is None:
                first = (self.heavy_dossier.pk, self.questionnaire.pk)
        self._step("analyze", self._analyze)
        total = time.perf_counter() - started
        assert first is not None
        self._report(scale, offices, total, first)

    def _office(self, n: int) -> Office:
        """Office ``n``: the first is the installation's first office (made if there is none),
        served on BENCH_HOST; the others are new. A hosting step: it looks across offices."""
        hosts = [BENCH_HOST, office_host(n)] if n == 1 else [office_host(n)]
        with tenancy.cross_office():
            office = Office.objects.order_by("pk").first() if n == 1 else None
            if office is None:
                return office_services.create_office(name=f"Benchmarkkantoor {n}", hosts=hosts)
            has_primary = OfficeHost.objects.filter(office=office, primary=True).exists()
            for host in hosts:
                if not OfficeHost.objects.filter(name=host).exists():
                    OfficeHost.objects.create(office=office, name=host, primary=not has_primary)
                    has_primary = True
        return office

    # --- helpers -------------------------------------------------------------------------
    def _step(self, name: str, fn, *args):
        t0 = time.perf_counter()
        result = fn(*args)
        # Summed over the offices.
        self.timings[name] = round(self.timings.get(name, 0) + time.perf_counter() - t0, 2)
        if self.verbosity >= 2:
            self.stdout.write(f"  {name}: {self.timings[name]} s")
        return result

    def _when(self, after: datetime | None = None) -> datetime:
        if after is None:
            return START + timedelta(seconds=self.rng.randrange(SPAN_SECONDS))
        left = max(1, int((START + timedelta(seconds=SPAN_SECONDS) - after).total_seconds()))
        return after + timedelta(seconds=self.rng.randrange(min(left, 3 * 365 * 86400)))

    def _name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def _address(self) -> str:
        return f"{self.rng.choice(STREETS)} {self.rng.randint(1, 250)}, {self.rng.choice(CITIES)}"

    def _body(self) -> str:
        return " ".join(self.rng.choice(SENTENCES) for _ in range(self.rng.randint(2, 6)))

    # --- the data ------------------------------------------------------------------------
    def _generate(self) -> None:
        self.statuses = [
            DossierStatus.objects.get_or_create(
                name=name,
                defaults={
                    "name_en": en,
                    "in_progress": busy,
                    "closes_dossier": closes,
                    "position": i,
                },
            )[0]
            for i, (name, en, busy, closes) in enumerate(STATUSES)
        ]
        self.files = self._step("files", self._write_files)
        self.password = make_password(PASSWORD)
        self._step("staff", self._staff)
        self._step("clients", self._clients)
        self._step("dossiers", self._dossiers)
        self._step("grants", self._grants)
        self._step("steps", self._steps)
        self._step("messages", self._messages)
        self._step("documents", self._documents)
        self._step("actions", self._actions)

    def _write_files(self) -> list[tuple[str, str, str, int, str]]:
        files = []
        for stored, content_type, original, content in SAMPLE_FILES:
            name = f"bench/{stored}"
            if not default_storage.exists(name):
                name = default_storage.save(name, ContentFile(content))
            files.append(
                (name, content_type, original, len(content), hashlib.sha256(content).hexdigest())
            )
        return files

    def _staff(self) -> None:
        now = datetime.now(UTC)
        staff = [
            User(
                email=STAFF_EMAIL if i == 0 else f"medewerker{i}@{DOMAIN}",
                full_name="mr. E. van Dam" if i == 0 else self._name(),
                is_staff=True,
                staff_role=Role.ADMINISTRATOR if i == 0 else Role.HANDLER,
                password=self.password,
                password_set_at=now,
                last_login=now,
                date_joined=START,
            )
            for i in range(5)
        ]
        self.staff = User.objects.bulk_create(staff)

    def _clients(self) -> None:
        rng, plan = self.rng, self.plan
        clients = []
        for i in range(plan.clients):
            company = i >= plan.heavy_clients and rng.random() < 0.1
            if i < plan.heavy_clients:
                name = f"{rng.choice(COMPANY_WORDS)} Holding B.V. {i + 1}"
                company = True
            elif company:
                name = f"{rng.choice(COMPANY_WORDS)} B.V."
            else:
                name = self._name()
            clients.append(
                Client(
                    kind=Client.Kind.COMPANY if company else Client.Kind.PERSON,
                    name=name,
                    reference=f"REL-{100000 + i}",
                    created_at=(when := self._when()),
                    updated_at=when,
                )
            )
        self.clients = Client.objects.bulk_create(clients, batch_size=BATCH)
        now = datetime.now(UTC)
        users = [
            User(
                email=heavy_email(i) if i < plan.heavy_clients else f"klant{i}@{DOMAIN}",
                full_name=client.name,
                client=client,
                password=self.password,
                password_set_at=now,
                last_login=now if i < plan.heavy_clients or rng.random() < 0.7 else None,
                date_joined=client.created_at,
                language="nl" if rng.random() < 0.9 else "en",
            )
            for i, client in enumerate(self.clients)
        ]
        self.users = User.objects.bulk_create(users, batch_size=BATCH)

    def _dossiers(self) -> None:
        rng, plan = self.rng, self.plan
        year_counts: dict[int, int] = {}
        dossiers = []
        for _ in range(plan.dossiers):
            created = self._when()
            year_counts[created.year] = year_counts.get(created.year, 0) + 1
            kind = rng.random()
            if kind < 0.55:
                description = f"{rng.choice(PROPERTY_KINDS)} {self._address()}"
            elif kind < 0.9:
                first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
                description = f"{rng.choice(PERSONAL_KINDS)} {first[0]}. {last}"
            else:
                description = f"{rng.choice(COMPANY_KINDS)} {rng.choice(COMPANY_WORDS)} B.V."
            dossiers.append(
                Dossier(
                    number=f"{created.year}.{year_counts[created.year]:05d}",
                    description=description,
                    status=rng.choice(self.statuses),
                    handler=rng.choice(self.staff),
                    created_at=created,
                    updated_at=created,
                )
            )
        # The heavy dossier: the newest, so it is on top of its client's list.
        heavy = dossiers[0]
        heavy.created_at = heavy.updated_at = START + timedelta(seconds=SPAN_SECONDS)
        heavy.description = "Levering woning Dorpsstraat 12, Utrecht (groot dossier)"
        heavy.status = self.statuses[1]
        self.dossiers = Dossier.objects.bulk_create(dossiers, batch_size=BATCH)
        self.heavy_dossier = self.dossiers[0]

    def _grants(self) -> None:
        """Heavy client n gets dossiers [n*200, (n+1)*200); every other dossier goes to one
        ordinary client (one in ten to two: a couple, or a person and their company)."""
        rng, plan = self.rng, self.plan
        heavy_count = plan.heavy_clients * plan.heavy_dossiers_each
        ordinary = self.clients[plan.heavy_clients :]
        self.owner: list[int] = []  # dossier index -> the first grantee's user index
        grants = []
        for d, dossier in enumerate(self.dossiers):
            if d < heavy_count:
                owners = [d // plan.heavy_dossiers_each]
            else:
                owners = [plan.heavy_clients + rng.randrange(len(ordinary))]
                if rng.random() < 0.1:
                    second = plan.heavy_clients + rng.randrange(len(ordinary))
                    if second != owners[0]:
                        owners.append(second)
            self.owner.append(owners[0])
            for o in owners:
                grants.append(
                    DossierAccess(
                        dossier=dossier,
                        client=self.clients[o],
                        granted_at=dossier.created_at,
                        granted_by=dossier.handler,
                    )
                )
        DossierAccess.objects.bulk_create(grants, batch_size=BATCH)

    def _steps(self) -> None:
        rng = self.rng
        batch = []
        for dossier in self.dossiers:
            if rng.random() < 0.15:
                continue
            titles = rng.choice(STEP_LISTS)
            done = rng.randint(0, len(titles))
            for position, title in enumerate(titles, start=1):
                batch.append(
                    ProgressStep(
                        dossier=dossier,
                        position=position,
                        title=title,
                        done=position <= done,
                        done_at=dossier.created_at + timedelta(days=position)
                        if position <= done
                        else None,
                    )
                )
            if len(batch) >= BATCH:
                ProgressStep.objects.bulk_create(batch)
                batch = []
        ProgressStep.objects.bulk_create(batch)

    def _spread(self, total: int, heavy: int):
        """Yield a dossier index for each of ``total`` rows: ``heavy`` for the heavy dossier
        (index 0), the rest spread over the others at random."""
        for i in range(total):
            yield 0 if i < heavy else 1 + self.rng.randrange(len(self.dossiers) - 1)

    def _reader(self, d: int) -> User | None:
        """The heavy client's account, when dossier ``d`` is one of a heavy client's."""
        if d < self.plan.heavy_clients * self.plan.heavy_dossiers_each:
            return self.users[self.owner[d]]
        return None

    def _messages(self) -> None:
        rng, plan = self.rng, self.plan
        self.heavy_messages: list[int] = []
        batch: list[Message] = []
        owners: list[int] = []

        def flush():
            created = Message.objects.bulk_create(batch)
            reads = []
            for message, d in zip(created, owners, strict=True):
                if d == 0:
                    self.heavy_messages.append(message.pk)
                reader = self._reader(d)
                if reader is not None and message.is_incoming and rng.random() < 0.6:
                    reads.append(
                        MessageRead(message=message, user=reader, read_at=message.created_at)
                    )
            MessageRead.objects.bulk_create(reads)
            batch.clear()
            owners.clear()

        for d in self._spread(plan.messages, plan.heavy_messages):
            dossier = self.dossiers[d]
            incoming = rng.random() < 0.6
            created = self._when(dossier.created_at)
            batch.append(
                Message(
                    dossier=dossier,
                    direction=Message.Direction.INCOMING
                    if incoming
                    else Message.Direction.OUTGOING,
                    subject=rng.choice(SUBJECTS),
                    body=self._body(),
                    author=dossier.handler if incoming else self.users[self.owner[d]],
                    created_at=created,
                    updated_at=created,
                    handled_at=None if incoming or rng.random() < 0.2 else created,
                    handled_by=None,
                )
            )
            owners.append(d)
            if len(batch) >= BATCH:
                flush()
        flush()

    def _documents(self) -> None:
        rng, plan = self.rng, self.plan
        kinds = list(Document.Kind)
        batch: list[Document] = []
        owners: list[int] = []

        def flush():
            created = Document.objects.bulk_create(batch)
            reads = []
            for document, d in zip(created, owners, strict=True):
                reader = self._reader(d)
                if (
                    reader is not None
                    and document.kind != Document.Kind.SUPPLIED
                    and rng.random() < 0.5
                ):
                    reads.append(
                        DocumentRead(document=document, user=reader, read_at=document.created_at)
                    )
            DocumentRead.objects.bulk_create(reads)
            batch.clear()
            owners.clear()

        for i, d in enumerate(self._spread(plan.documents, plan.heavy_documents)):
            dossier = self.dossiers[d]
            kind = rng.choice(kinds)
            name, content_type, original, size, digest = rng.choice(self.files)
            supplied = kind == Document.Kind.SUPPLIED
            batch.append(
                Document(
                    dossier=dossier,
                    kind=kind,
                    title=rng.choice(DOCUMENT_TITLES[kind]),
                    original_name=original,
                    size=size,
                    content_type=content_type,
                    sha256=digest,
                    file=name,
                    uploaded_by=self.users[self.owner[d]] if supplied else dossier.handler,
                    # One in ten of the heavy dossier's documents came with a message.
                    message_id=self.heavy_messages[i] if d == 0 and i % 10 == 0 else None,
                    created_at=self._when(dossier.created_at),
                )
            )
            owners.append(d)
            if len(batch) >= BATCH:
                flush()
        flush()

    def _actions(self) -> None:
        rng, plan = self.rng, self.plan
        template = self._questionnaire_template()
        snapshot = template.snapshot()
        now = datetime.now(UTC)
        actions = [
            Action(
                kind=Action.Kind.QUESTIONNAIRE,
                dossier=self.heavy_dossier,
                client=self.clients[0],
                title_nl=template.title_nl,
                title_en=template.title_en,
                template=template,
                snapshot=snapshot,
                sent_by=self.staff[0],
                created_at=now,
                updated_at=now,
            )
        ]
        for d, dossier in enumerate(self.dossiers):
            if d < plan.heavy_clients * plan.heavy_dossiers_each and d % 40 == 0:
                chosen = True
            else:
                chosen = rng.random() < 0.03
            if chosen:
                actions.append(
                    Action(
                        kind=Action.Kind.UPLOAD,
                        dossier=dossier,
                        client=self.clients[self.owner[d]],
                        title_nl="Kopie identiteitsbewijs",
                        title_en="Copy of your ID",
                        description_nl="Upload een kopie van uw paspoort of identiteitskaart.",
                        sent_by=dossier.handler,
                        created_at=self._when(dossier.created_at),
                        updated_at=now,
                    )
                )
        created = Action.objects.bulk_create(actions, batch_size=BATCH)
        self.questionnaire = created[0]

    def _questionnaire_template(self) -> QuestionnaireTemplate:
        template = QuestionnaireTemplate.objects.create(
            title_nl="Vragenlijst levering woning (benchmark)",
            title_en="Questionnaire house purchase (benchmark)",
            intro_nl="Met deze vragen bereiden wij de akte voor.",
        )
        kinds = [
            QuestionKind.SHORT_TEXT,
            QuestionKind.LONG_TEXT,
            QuestionKind.DATE,
            QuestionKind.YES_NO,
            QuestionKind.SINGLE_CHOICE,
            QuestionKind.EMAIL,
        ]
        for p in range(3):
            page = template.pages.create(position=p, title_nl=f"Deel {p + 1}")
            for q, kind in enumerate(kinds):
                page.questions.create(
                    position=q,
                    kind=kind,
                    text_nl=f"Vraag {p + 1}.{q + 1}",
                    text_en=f"Question {p + 1}.{q + 1}",
                    required=False,
                    choices_nl="Ja\nNee\nWeet ik niet"
                    if kind in {QuestionKind.SINGLE_CHOICE}
                    else "",
                )
        return template

    def _analyze(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def _report(self, scale: float, offices: int, total: float, first: tuple[int, int]) -> None:
        plan = self.plan
        heavy_dossier, questionnaire = first
        with tenancy.cross_office():
            counts = self._counts()
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated scale {scale} over {offices} office(s) in {total:.1f} s "
                f"({connection.vendor})."
            )
        )
        for name, count in counts.items():
            self.stdout.write(f"  {name:>15}: {count:,}")
        self.stdout.write(f"  timings (s): {self.timings}")
        self.stdout.write(f"Password of every generated account: {PASSWORD}")
        hosts = f"http://{BENCH_HOST}/" + (
            " (office 1; office n at http://office-n.bench.test/)" if offices > 1 else ""
        )
        self.stdout.write(f"  at:             {hosts}")
        if offices > 1:
            self.stdout.write("  (each office has the same logins, as its own accounts)")
        self.stdout.write(f"  staff:          {STAFF_EMAIL}")
        for n in range(plan.heavy_clients):
            self.stdout.write(
                f"  heavy client:   {heavy_email(n)} ({plan.heavy_dossiers_each} dossiers)"
            )
        self.stdout.write(
            f"  heavy dossier:  {heavy_dossier} ({plan.heavy_documents} documents, "
            f"{plan.heavy_messages} messages), of {heavy_email(0)}"
        )
        self.stdout.write(f"  questionnaire:  /acties/{questionnaire}/invullen/1/")

    def _counts(self) -> dict[str, int]:
        return {
            "clients": Client.objects.count(),
            "dossiers": Dossier.objects.count(),
            "grants": DossierAccess.objects.count(),
            "progress steps": ProgressStep.objects.count(),
            "documents": Document.objects.count(),
            "document reads": DocumentRead.objects.count(),
            "messages": Message.objects.count(),
            "message reads": MessageRead.objects.count(),
            "actions": Action.objects.count(),
        }


@contextlib.contextmanager
def explicit_dates():
    """Let bulk_create keep the dates given (spread over the years) instead of "now": switch
    auto_now/auto_now_add off on every model touched, and back on afterwards."""
    models = [
        Client,
        Dossier,
        DossierAccess,
        Document,
        DocumentRead,
        Message,
        MessageRead,
        Action,
    ]
    saved = []
    for model in models:
        for field in model._meta.concrete_fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                saved.append((field, field.auto_now, field.auto_now_add))
                field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add
