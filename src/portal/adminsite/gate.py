"""Who enters the admin (/beheer/): office administrators (``roles.Capability.CONFIGURE``) whose
session passed the second factor, like the workspace's.

Django's admin has its own login form, which knows nothing of the second factor: a staff
member could log in there with the password alone. ``protect_admin`` closes that door: the
site's permission check is the role and a verified session, and the admin's login page sends a
visitor to the portal's login (password, then code), a staff member whose session has no second
factor to the workspace's gate (set it up, or log in again), and a handler to a page that says
the admin is for office administrators, with the way to the workspace.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.admin import AdminSite
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache

from portal.accounts.roles import Capability, can, is_staff_member
from portal.twofactor import services as twofactor
from portal.twofactor.login import is_verified


def can_configure(request: HttpRequest) -> bool:
    return can(request.user, Capability.CONFIGURE) and is_verified(request)


def protect_admin(site: AdminSite) -> None:
    @login_not_required
    @never_cache
    def login(request: HttpRequest, extra_context=None) -> HttpResponse:
        target = request.GET.get("next") or reverse("admin:index")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:index")
        user = request.user
        if is_staff_member(user) and not is_verified(request):
            if twofactor.is_enabled(user):
                return render(request, "workspace/verify_again.html", status=403)
            return redirect("workspace:setup_2fa")
        if can_configure(request):
            return redirect(target)
        if is_staff_member(user):
            return render(request, "adminsite/administrators_only.html", status=403)
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")

    # The default site's gate and log-in replaced on this one instance, on purpose.
    site.has_permission = can_configure  # type: ignore[method-assign]
    site.login = login  # type: ignore[method-assign]
