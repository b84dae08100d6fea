"""Render and queue the portal's e-mails: subject, text and HTML parts, office branding, in the
recipient's language. Templates live in ``templates/emails/<name>_subject.txt``, ``<name>.txt``
and ``<name>.html``.

The subject and the text part are plain text: they are rendered without autoescaping, so an
office called "Van Dam & De Boer" reads as such, not as "Van Dam &amp; De Boer". Only the HTML
part is escaped. A subject is made one line (no header injection through a name)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import translation

from portal.offices.models import Office

from .models import OutgoingEmail
from .tasks import deliver_email

log = logging.getLogger(__name__)


def queue_email(*, to_user, template: str, context: dict | None = None) -> OutgoingEmail:
    """Render ``template`` for ``to_user`` and queue it for delivery after commit."""
    office = Office.current()
    ctx = {
        "office": office,
        "user": to_user,
        # Links and the logo point to the office's own host (R-TEN-2).
        "base_url": office.base_url,
        **(context or {}),
    }
    with translation.override(to_user.language or "nl"):
        ctx["LANGUAGE_CODE"] = translation.get_language()
        subject = " ".join(render_plain_text(f"emails/{template}_subject.txt", ctx).split())
        text = render_plain_text(f"emails/{template}.txt", ctx)
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


def render_plain_text(name: str, context: dict) -> str:
    """Render a template whose output is plain text (a subject, a text/plain part): with
    autoescaping off, as Django's engine would escape HTML characters for every template."""
    # The backend's wrapper holds the engine's own template, which takes a Context.
    return get_template(name).template.render(  # type: ignore[attr-defined]
        Context(context, autoescape=False)
    )


def enqueue(pk: int) -> None:
    try:
        deliver_email.delay(pk)
    except Exception:  # broker down: the row stays pending and the sweep sends it later
        log.exception("Could not queue e-mail %s; it stays pending", pk)
