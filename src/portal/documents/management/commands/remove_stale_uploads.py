from django.core.management.base import BaseCommand

from portal.documents.tasks import remove_stale_uploads


class Command(BaseCommand):
    help = (
        "Remove attachments uploaded for a message but never sent (older than STAGED_UPLOAD_HOURS)."
    )

    def handle(self, *args, **options):
        removed = remove_stale_uploads()
        self.stdout.write(f"Removed {removed} unsent upload(s).")
