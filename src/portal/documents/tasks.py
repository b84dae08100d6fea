from __future__ import annotations

from celery import shared_task

from portal.offices.services import per_office

from . import rendering, services


@shared_task
@per_office
def remove_stale_uploads() -> int:
    """Hourly: remove attachments uploaded for a message that was never sent (R-MSG-6)."""
    return services.remove_stale_uploads()


@shared_task(acks_late=True)
def render_preview(preview_pk: int) -> str:
    """R-SIG-3: render a document's pages to images, in the office that queued it
    (``portal.offices.task_office``). A file that cannot be rendered marks the preview failed;
    the renderer runs in a child process, so the file can never end this worker."""
    return rendering.render(preview_pk)
