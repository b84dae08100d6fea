"""R-OFF-4: what is new for the office across all dossiers, on the admin's start page."""

from __future__ import annotations

from django import template

from portal.messaging.models import Message

register = template.Library()


@register.simple_tag
def open_client_messages() -> int:
    """Client messages the office has not handled yet (one indexed count)."""
    return Message.objects.filter(
        direction=Message.Direction.OUTGOING, handled_at__isnull=True
    ).count()
