"""The office's admin (/beheer/) behind the same two-step verification as the workspace.

Django's admin has its own login form, which knows nothing of the second factor: a staff
member could log in there with the password alone. ``protect_admin`` closes that door: the
admin's permission check also requires a session that passed the second factor, and the
admin's login page sends a visitor to the portal's login (password, then code) and a staff
member whose session has no second factor to the workspace's gate (set it up, or log in
again).
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

from portal.twofactor import services as twofactor
from portal.twofactor.login import is_verified
from portal.workspace.access import is_staff_member


def protect_admin(site: AdminSite) -> None:
    def has_permission(request: HttpRequest) -> bool:
        return AdminSite.has_permission(site, request) and is_verified(request)

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
        if user.is_authenticated and has_permission(request):
            return redirect(target)
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")

    site.has_permission = has_permission
    site.login = login
