"""Logins in the audit trail (ASVS V16): every successful login and every failure, with
the address; never a password. The second factor records ``login.second_factor`` itself."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import context
from .context import client_ip
from .services import record


@receiver(user_logged_in, dispatch_uid="audit_login")
def on_login(sender, request, user, **kwargs) -> None:
    # The address of the request that logged in; what the request records after this is the
    # user's doing.
    record("login.succeeded", actor=user, address=client_ip(request))
    context.set_actor(user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        record("logout", actor=user, address=client_ip(request))
    context.set_actor(None)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The address typed, lower-cased, as the lockout counts it; the password is never kept.
    typed = str((credentials or {}).get("username", "")).strip().lower()[:200]
    # Explicit: a failure may be reported with another request than the one running (axes).
    record("login.failed", address=client_ip(request), target=typed)
