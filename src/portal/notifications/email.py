"""Render and queue the portal's e-mails: subject, text and HTML parts, office branding, in the
recipient's language. Templates live in ``templates/emails/<name>_subject.txt``, ``<name>.txt``
and ``<name>.html``."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from portal.offices.models import Office

from .models import OutgoingEmail

log = logging.getLogger(__name__)


def queue_email(*, to_user, template: str, context: dict | None = None) -> OutgoingEmail:
    """Render ``template`` for ``to_user`` and queue it for delivery after commit."""
    office = Office.current()
    ctx = {
        "office": office,
        "user": to_user,
        "base_url": settings.PORTAL_BASE_URL,
        **(context or {}),
    }
    with translation.override(to_user.language or "nl"):
        ctx["LANGUAGE_CODE"] = translation.get_language()
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", ctx).split())
        text = render_to_string(f"emails/{template}.txt", ctx)
        html = render_to_string(f"emails/{template}.html", ctx)
    mail = OutgoingEmail.objects.create(
        to=to_user.email,
        from_email=office.from_email or "",
        subject=subject,
        kind=template,
        body_text=text,
        body_html=html,
    )
    transaction.on_commit(lambda: enqueue(mail.pk))
    return mail


def enqueue(pk: int) -> None:
    from .tasks import deliver_email

    try:
        deliver_email.delay(pk)
    except Exception:  # broker down: the row stays pending and the sweep sends it later
        log.exception("Could not queue e-mail %s; it stays pending", pk)
