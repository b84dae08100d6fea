"""Session lifetimes (ASVS V7): an idle timeout (``SESSION_IDLE_MINUTES``, default 30)
and an absolute one (``SESSION_ABSOLUTE_HOURS``, default 8), checked on every request of a
logged-in user. The page warns a few minutes before the idle timeout
(``static/portal/session.js``) and offers to stay logged in (a POST that counts as activity).

The moments live in the session: ``_kp_started`` (set at login) and ``_kp_seen`` (the last
activity). To keep requests free of writes, the last activity is stored again only when it is
more than ``SEEN_RESOLUTION`` seconds old.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.audit.services import record

STARTED = "_kp_started"
SEEN = "_kp_seen"
SEEN_RESOLUTION = 60


def idle_seconds() -> int:
    return settings.SESSION_IDLE_MINUTES * 60


def absolute_seconds() -> int:
    return settings.SESSION_ABSOLUTE_HOURS * 3600


@receiver(user_logged_in, dispatch_uid="session_timeout_start")
def start_clock(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[STARTED] = now
        request.session[SEEN] = now


def touch(request: HttpRequest, *, force: bool = False) -> None:
    now = int(time.time())
    if force or now - request.session.get(SEEN, 0) > SEEN_RESOLUTION:
        request.session[SEEN] = now


class SessionTimeoutMiddleware:
    """Ends a session that was idle too long or is too old, before the view runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            started = request.session.get(STARTED, now)
            seen = request.session.get(SEEN, now)
            reason = None
            if now - seen > idle_seconds():
                reason = "idle"
            elif now - started > absolute_seconds():
                reason = "absolute"
            if reason:
                record("session.expired", actor=user, reason=reason)
                logout(request)
                messages.info(
                    request,
                    _("You were logged out after %(minutes)d minutes without activity.")
                    % {"minutes": settings.SESSION_IDLE_MINUTES}
                    if reason == "idle"
                    else _("You were logged out: a session lasts at most %(hours)d hours.")
                    % {"hours": settings.SESSION_ABSOLUTE_HOURS},
                )
                login = resolve_url(settings.LOGIN_URL)
                return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")
            if STARTED not in request.session:
                request.session[STARTED] = now
            touch(request)
        return self.get_response(request)


@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """ "Ingelogd blijven": counts as activity; the script restarts its countdown."""
    touch(request, force=True)
    return HttpResponse(status=204)


def session_settings(request: HttpRequest) -> dict:
    """For base.html: when the page warns before the idle timeout (no query)."""
    warning = min(settings.SESSION_WARNING_SECONDS, idle_seconds() // 2)
    return {
        "session_idle_seconds": idle_seconds(),
        "session_warning_seconds": warning,
        "session_warning_minutes": max(1, round(warning / 60)),
    }
