from django.core.management.base import BaseCommand

from portal.notifications.tasks import send_pending_email


class Command(BaseCommand):
    help = "Send e-mails that are still pending (after a broker or SMTP outage)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=0, help="seconds (default 0)")

    def handle(self, *args, older_than: int, **options):
        sent = send_pending_email(older_than)
        self.stdout.write(f"{sent} e-mail(s) sent.")
