"""Helpers for the staff workspace tests (R-OFF-1..5)."""

from __future__ import annotations

from django.test import Client as HttpClient

from portal.twofactor.login import VERIFIED


def staff_http(user, *, verified: bool = True) -> HttpClient:
    """A logged-in staff browser; ``verified``: the session passed the second factor."""
    http = HttpClient()
    http.force_login(user)
    if verified:
        verify_second_factor(http)
    return http


def verify_second_factor(http: HttpClient) -> HttpClient:
    """Mark the logged-in session of ``http`` as having passed the second factor, as the
    login's code step does (the workspace and the admin require it of staff)."""
    session = http.session
    session[VERIFIED] = True
    session.save()
    return http
