"""``manage.py office add | list | suspend | resume | export``: the hosting party's work on
whole offices (R-TEN-4). See portal.maintenance.hosting and docs/deployment.md.

    manage.py office add "Notariskantoor Jansen" --host portaal.jansen.nl [--host ...] \\
        [--admin-email beheer@jansen.nl --admin-name "mr. A. Jansen"]
    manage.py office list
    manage.py office suspend portaal.jansen.nl     (or the office's id)
    manage.py office resume portaal.jansen.nl
    manage.py office export portaal.jansen.nl --output /backups/jansen-2026-11-26
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.accounts import services as accounts
from portal.accounts.roles import Role
from portal.core import tenancy
from portal.maintenance import hosting
from portal.offices import services as offices
from portal.offices.models import Office


def _size(count: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024  # type: ignore[assignment]
    return str(count)  # pragma: no cover


class Command(BaseCommand):
    help = "Hosting: add, list, suspend, resume or export an office."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        add = commands.add_parser("add", help="a new office with its host names")
        add.add_argument("name")
        add.add_argument(
            "--host",
            action="append",
            required=True,
            help="a host name the office is served on (repeat; the first is the primary one)",
        )
        add.add_argument("--admin-email", help="invite an office administrator at this address")
        add.add_argument("--admin-name", default="", help="the administrator's full name")
        add.add_argument("--language", default="nl", choices=["nl", "en"])
        commands.add_parser("list", help="every office with its host names and usage")
        for name, what in [
            ("suspend", "every page says temporarily unavailable; nothing is sent"),
            ("resume", "serve the office again"),
        ]:
            sub = commands.add_parser(name, help=what)
            sub.add_argument("office", help="the office's id or one of its host names")
        export = commands.add_parser("export", help="one office's rows and files")
        export.add_argument("office", help="the office's id or one of its host names")
        export.add_argument("--output", type=Path, required=True, help="a new or empty folder")

    def handle(self, *args, action: str, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except (hosting.OfficeNotFound, offices.HostTaken, FileExistsError) as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error

    def _office(self, ref: str) -> Office:
        return hosting.find_office(ref)

    def _add(self, *, name, host, admin_email, admin_name, language, **options):
        try:
            office = offices.create_office(name=name, hosts=host)
        except offices.HostTaken as error:
            raise CommandError(f"Host name already served by an office: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(f"Office {office.pk} added: {office.name}, at {', '.join(host)}")
        )
        if admin_email:
            # Committed inside the office's scope: the invitation e-mail queued on commit is
            # the office's.
            with tenancy.office_scope(office), transaction.atomic():
                admin = accounts.add_staff_account(
                    email=admin_email,
                    full_name=admin_name or admin_email,
                    language=language,
                    role=Role.ADMINISTRATOR,
                )
            self.stdout.write(
                f"Office administrator {admin.email} invited: the e-mail carries the link to set "
                "a password; the workspace then asks for a second factor."
            )

    def _list(self, **options):
        rows = hosting.offices()
        self.stdout.write(
            f"{'id':>4}  {'name':<36} {'state':<10} {'clients':>8} {'dossiers':>9} "
            f"{'stored':>10}  hosts"
        )
        for office, hosts, used in rows:
            state = "suspended" if office.is_suspended else "active"
            self.stdout.write(
                f"{office.pk:>4}  {office.name[:36]:<36} {state:<10} {used.clients:>8} "
                f"{used.dossiers:>9} {_size(used.stored_bytes):>10}  {', '.join(hosts)}"
            )
        self.stdout.write(f"{len(rows)} office(s)")

    def _suspend(self, *, office: str, **options):
        found = self._office(office)
        if offices.set_suspended(office=found, suspended=True):
            self.stdout.write(
                f"Office {found.pk} ({found.name}) suspended: every page answers 503 "
                "'temporarily unavailable'; e-mails, SMS and webhooks are held; data is kept. "
                "App servers that share no cache (no REDIS_URL) follow within "
                f"OFFICE_CACHE_SECONDS ({settings.OFFICE_CACHE_SECONDS} s)."
            )
        else:
            self.stdout.write(f"Office {found.pk} ({found.name}) was suspended already.")

    def _resume(self, *, office: str, **options):
        found = self._office(office)
        if offices.set_suspended(office=found, suspended=False):
            self.stdout.write(
                f"Office {found.pk} ({found.name}) resumed; held e-mails and webhooks go out "
                "with the next sweep."
            )
        else:
            self.stdout.write(f"Office {found.pk} ({found.name}) was not suspended.")

    def _export(self, *, office: str, output: Path, **options):
        found = self._office(office)
        result = hosting.export_office(found, output)
        rows = sum(result.rows.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Exported office {found.pk} ({found.name}): {rows} rows of "
                f"{sum(1 for n in result.rows.values() if n)} models and {result.files} file(s) "
                f"to {output}"
            )
        )
        if result.missing_files:
            self.stdout.write(
                f"{len(result.missing_files)} file(s) referenced but missing from the storage: "
                "see manifest.json"
            )
