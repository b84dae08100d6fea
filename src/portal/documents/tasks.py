from __future__ import annotations

from celery import shared_task

from . import services


@shared_task
def remove_stale_uploads() -> int:
    """Hourly: remove attachments uploaded for a message that was never sent (R-MSG-6)."""
    return services.remove_stale_uploads()
