from django.core.management.base import BaseCommand

from portal.accounts.tasks import prune_account_links, prune_login_logs, prune_sessions
from portal.exports.tasks import prune_exports
from portal.integrations.tasks import (
    prune_changes,
    prune_idempotency_records,
    prune_webhook_deliveries,
)
from portal.notifications.tasks import prune_sent_email
from portal.retention.tasks import prune_audit_entries
from portal.twofactor.tasks import prune_sms_codes_sent

# The same tasks beat runs hourly (CELERY_BEAT_SCHEDULE), for installs without beat.
TASKS = [
    ("idempotency records", prune_idempotency_records),
    ("webhook deliveries", prune_webhook_deliveries),
    ("changes", prune_changes),
    ("sent e-mails", prune_sent_email),
    ("account links", prune_account_links),
    ("expired sessions", prune_sessions),
    ("data exports", prune_exports),
    ("login logs", prune_login_logs),
    ("SMS codes sent", prune_sms_codes_sent),
    ("audit entries", prune_audit_entries),
]


class Command(BaseCommand):
    help = (
        "Delete rows that have served their purpose, after the PRUNE_*_DAYS retention: "
        "idempotency records, finished webhook deliveries, the changes feed, sent e-mails, "
        "used or expired links, expired sessions, expired data exports with their files, login "
        "logs, SMS codes sent; audit entries older than AUDIT_RETENTION_YEARS."
    )

    def handle(self, *args, **options):
        for label, task in TASKS:
            deleted = task()
            self.stdout.write(f"{label}: {deleted} deleted")
