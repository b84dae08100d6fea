from __future__ import annotations

from celery import shared_task

from portal.offices.services import per_office

from . import services


@shared_task
@per_office
def remove_stale_uploads() -> int:
    """Hourly: remove attachments uploaded for a message that was never sent (R-MSG-6)."""
    return services.remove_stale_uploads()
