"""``manage.py retention [--dry-run] [--office ID|HOST]``: the retention sweep of R-RET-1 (the
daily beat task ``portal.retention.tasks.apply_retention``) run now, or only listed."""

from __future__ import annotations

from collections.abc import Iterator

from django.core.management.base import BaseCommand, CommandError

from portal.audit.context import audit_context
from portal.core import tenancy
from portal.maintenance import hosting
from portal.offices.models import Office
from portal.offices.services import each_office
from portal.retention import sweep


class Command(BaseCommand):
    help = (
        "Remove the portal's copies whose retention period is over (closed dossiers without "
        "a legal hold), or with --dry-run list per office, dossier and kind what would go."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list what is due; change nothing"
        )
        parser.add_argument("--office", help="only this office: its id or one of its host names")

    def handle(self, *args, dry_run: bool, office: str | None, **options):
        for current in self._offices(office):
            with audit_context():
                found = sweep.plan() if dry_run else sweep.sweep()
            verb = "due" if dry_run else "removed"
            total = sum(due.count for due in found)
            self.stdout.write(f"{current.name} (office {current.pk}): {total} {verb}")
            # Numbers, kinds and dates only: never a title or a file name.
            for due in found:
                self.stdout.write(f"  {due.number}  {due.kind}  {due.count}  {due.due_on}")

    def _offices(self, ref: str | None) -> Iterator[Office]:
        if ref is None:
            yield from each_office()
            return
        try:
            found = hosting.find_office(ref)
        except hosting.OfficeNotFound as error:
            raise CommandError(str(error)) from error
        with tenancy.office_scope(found):
            yield found
