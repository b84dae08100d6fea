"""The one gate of the staff workspace (R-OFF-1..5, R-ME-2/R-X-2 for staff). Who may work here
is decided by ``portal.accounts.roles`` (handlers and office administrators alike); this gate
adds what belongs to the session:

- anonymous visitors: sent to the login page by ``LoginRequiredMiddleware``;
- client accounts (and inactive users): 404, the workspace does not exist for them;
- staff without two-step verification: sent to set it up first;
- staff whose session did not pass the second factor (``twofactor.login.is_verified``): 403,
  with a way to log in again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from portal.accounts.roles import Capability, can, is_staff_member
from portal.twofactor import services as twofactor
from portal.twofactor.login import is_verified

__all__ = ["is_staff_member", "staff_member_only", "staff_view"]


def staff_member_only(view: Callable) -> Callable:
    """Staff only (404 for anyone else), no second-factor check: the setup page itself."""

    @wraps(view)
    @never_cache
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_staff_member(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def staff_view(view: Callable) -> Callable:
    """Every workspace page: a staff member whose session passed the second factor."""

    @wraps(view)
    @never_cache
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not can(user, Capability.WORK):
            raise Http404
        if not is_verified(request):
            # Only here (a session without the second factor) does the gate cost a query.
            if twofactor.is_enabled(user):
                return render(request, "workspace/verify_again.html", status=403)
            return redirect("workspace:setup_2fa")
        return view(request, *args, **kwargs)

    return wrapped
