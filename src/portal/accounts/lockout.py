"""The login's brute-force protection around django-axes (R-ACC-4, ASVS V6).

django-axes locks an address that fails too often (a password spray) and an account and address
pair (a guess at one account from one address) for AXES_COOLOFF_TIME. It never locks an account
as a whole: then anyone who knows a client's e-mail address could lock them out with a few wrong
passwords from a few addresses. An account guessed at from many addresses is slowed down
instead: after LOGIN_LINK_AFTER_FAILURES failures for it (from anywhere, within the cool-off) a
login for that address needs a login link, e-mailed to it, besides the right password. The
owner reads their e-mail and gets in; the attacker does not. While the link is asked for, the
password typed is not even checked, so the page tells nothing about it, and the page is the
same whether or not the address has an account.

Accounts are per office (R-TEN-3): the same e-mail address at two offices is two accounts, so
failures are counted per office. The name django-axes stores and counts (``lockout_key``) is
the typed address prefixed with the request's office; a lock of an address at one office leaves
the account of that address at another office usable. The lock of a client address alone (a
password spray) stays installation-wide: django-axes knows no other parameter to combine with
it, and the address is the attacker's whichever office it tries.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models import Sum
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone

from portal.audit.context import client_ip
from portal.core import tenancy


def lockout_username(request: HttpRequest, credentials: dict | None) -> str:
    """The address django-axes counts failures for: as typed in the login form's "username"
    field, case-insensitive (log-in is case-insensitive too)."""
    source = credentials if credentials else request.POST
    return (source.get("username") or "").strip().lower()


def office_key(username: str) -> str:
    """``username`` as counted at the context's office: ``office-<id>:<address>``. Without an
    office (no office's login) the address alone."""
    office_id = tenancy.current_office_id()
    return username if office_id is None else f"office-{office_id}:{username}"


def lockout_key(request: HttpRequest, credentials: dict | None) -> str:
    """``AXES_USERNAME_CALLABLE``: the typed address at the request's office."""
    username = lockout_username(request, credentials)
    return office_key(username) if username else ""


def account_failures(username: str) -> int:
    """Failed logins for ``username`` at this office from every address within the cool-off."""
    since = timezone.now() - get_cool_off()
    total = AccessAttempt.objects.filter(
        username=office_key(username), attempt_time__gte=since
    ).aggregate(total=Sum("failures_since_start"))["total"]
    return total or 0


def needs_login_link(request: HttpRequest, username: str) -> bool:
    """Is the account ``username`` (known or not: the answer must not tell) under a guessing
    attack, so that a login for it needs a login link? Not when this address or pair is locked
    anyway: then django-axes' lockout answers."""
    if not username or account_failures(username) < settings.LOGIN_LINK_AFTER_FAILURES:
        return False
    return not AxesProxyHandler.is_locked(request, {"username": username})


@receiver(user_logged_in, dispatch_uid="lockout_forget_own_failures")
def forget_own_failures(sender, request, user, **kwargs) -> None:
    """A successful login clears the failures of its own account and address pair (the
    owner's typing errors), not those of other accounts from this address nor of this account
    from other addresses (AXES_RESET_ON_SUCCESS is off)."""
    if request is None:
        return
    AccessAttempt.objects.filter(
        username=office_key(user.get_username().strip().lower()), ip_address=client_ip(request)
    ).delete()
