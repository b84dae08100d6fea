"""What a staff member may do: the one place that decides (R-OFF-1..R-OFF-6).

Every staff account has a role. Handlers do the office's daily work in the workspace
(dossiers, progress, access, documents, messages, questionnaires and upload requests, clients
and their accounts). Office administrators do that too, and configure the office in the admin:
branding, dossier statuses, questionnaire templates, staff accounts, API tokens and webhooks.

The workspace's gate (``portal.workspace.access``), the admin site and every model admin
(``portal.adminsite``) and the API's permission classes (``portal.api.permissions``) ask
``can`` or ``token_can``; nothing else grants anything. Django's ``is_superuser``, groups and
model permissions are not consulted: they grant nothing in the portal.

A session must also have passed the second factor; that is a property of the session, checked
by the interfaces, not of the account.

An API token is the office's integration (its case-management system), not a person: it acts
with the office's authority for daily work, whatever the role of the staff member it names as
author (``ApiToken.acting_user``). It configures the office only where the API offers it (the
webhook endpoints), and only when two things hold at the time of the call: an administrator
issued it with ``may_configure`` (an explicit choice in the admin, off by default), and the
staff member it acts as is an office administrator. Either alone grants nothing: a daily-work
token of an administrator does not configure, and a configuring token whose staff member is
made a handler stops configuring at once. Everything else of the configuration (branding,
statuses, templates, staff accounts, API tokens) stays in the admin.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HANDLER = "handler", _("Handler")
    ADMINISTRATOR = "administrator", _("Office administrator")


class Capability(StrEnum):
    # Daily work: the workspace, every page and action of it.
    WORK = "work"
    # The API's documentation pages (schema and viewer) in a staff session.
    READ_API_DOCS = "read_api_docs"
    # The admin: branding, statuses, questionnaire templates, staff accounts, API tokens,
    # webhooks; and reading the logs kept there (audit trail, sent e-mail, deliveries).
    CONFIGURE = "configure"


GRANTS: dict[str, frozenset[Capability]] = {
    Role.HANDLER: frozenset({Capability.WORK, Capability.READ_API_DOCS}),
    Role.ADMINISTRATOR: frozenset(
        {Capability.WORK, Capability.READ_API_DOCS, Capability.CONFIGURE}
    ),
}

TOKEN_GRANTS: frozenset[Capability] = frozenset({Capability.WORK, Capability.READ_API_DOCS})


def is_staff_member(user) -> bool:
    """An active account of the office (not a client's)."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and user.client_id is None
    )


def role_of(user) -> Role | None:
    """The staff member's role; None for anyone else (clients, anonymous, inactive)."""
    if not is_staff_member(user):
        return None
    return Role(user.staff_role)


def can(user, capability: Capability) -> bool:
    """May ``user`` (a staff member's account) do what ``capability`` stands for?"""
    role = role_of(user)
    return role is not None and capability in GRANTS[role]


def token_can(token, capability: Capability) -> bool:
    """May an API call authenticated with ``token`` do what ``capability`` stands for?"""
    if token is None or token.revoked_at is not None or not is_staff_member(token.acting_user):
        return False
    if capability == Capability.CONFIGURE:
        return bool(token.may_configure) and can(token.acting_user, Capability.CONFIGURE)
    return capability in TOKEN_GRANTS
