"""Sign-in and onboarding pages (R-ACC-1..4) and "Mijn gegevens" (R-ME-1)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from . import services
from .forms import EmailForm, InvitationEmailForm, LanguageForm, LoginForm, SetPasswordForm
from .models import AccountToken

SESSION_KEYS = {
    AccountToken.Purpose.INVITATION: "_invitation_token",
    AccountToken.Purpose.SET_PASSWORD: "_set_password_token",
}


def _landing_after_login(request: HttpRequest, first_login: bool) -> str:
    if first_login:
        # R-ACC-3 / manual §2: the first login opens "Mijn gegevens".
        return reverse("accounts:profile")
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("home")


class LoginView(auth_views.LoginView):
    """R-ACC-4: "Welkom op het klantenportaal van <office>", e-mail, password, "Inloggen"."""

    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        first_login = user.last_login is None
        login(self.request, user)
        return redirect(_landing_after_login(self.request, first_login))


def _stash(request: HttpRequest, purpose: str, token: str, target: str) -> HttpResponse:
    """Move the link's secret out of the address bar into the session (keeps it out of the
    history and Referer headers), then show the page without it."""
    request.session[SESSION_KEYS[purpose]] = token
    return redirect(target)


def _token_from_session(request: HttpRequest, purpose: str) -> AccountToken | None:
    raw = request.session.get(SESSION_KEYS[purpose], "")
    return AccountToken.lookup(raw, purpose)


def _link_problem(request: HttpRequest, token: AccountToken | None) -> HttpResponse:
    if token is None:
        reason = "unknown"
    elif token.is_used:
        reason = "used"
    elif token.is_expired:
        reason = "expired"
    else:
        reason = "inactive"
    return render(request, "accounts/link_invalid.html", {"reason": reason}, status=410)


def _link_sent(request: HttpRequest, email: str) -> HttpResponse:
    return render(
        request,
        "accounts/link_sent.html",
        {"email": email, "password_link_hours": settings.PASSWORD_LINK_HOURS},
    )


@login_not_required
@never_cache
def invitation_link(request: HttpRequest, token: str) -> HttpResponse:
    return _stash(
        request, AccountToken.Purpose.INVITATION, token, reverse("accounts:invitation_form")
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest) -> HttpResponse:
    """R-ACC-1: the first e-mail's link; the client enters their e-mail address, "Verstuur"."""
    token = _token_from_session(request, AccountToken.Purpose.INVITATION)
    if token is None or not token.is_valid:
        return _link_problem(request, token)
    form = InvitationEmailForm(request.POST or None, user=token.user)
    if request.method == "POST" and form.is_valid():
        services.accept_invitation(token=token, request=request)
        request.session.pop(SESSION_KEYS[AccountToken.Purpose.INVITATION], None)
        return _link_sent(request, token.user.email)
    return render(request, "accounts/invitation.html", {"form": form})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def forgot_password(request: HttpRequest) -> HttpResponse:
    """R-ACC-4: "Instellen wachtwoord". The same answer whether or not the address is known."""
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_password_link(email=form.cleaned_data["email"], request=request)
        return _link_sent(request, form.cleaned_data["email"])
    return render(request, "accounts/forgot_password.html", {"form": form})


@login_not_required
@never_cache
def set_password_link(request: HttpRequest, token: str) -> HttpResponse:
    return _stash(
        request, AccountToken.Purpose.SET_PASSWORD, token, reverse("accounts:set_password_form")
    )


@login_not_required
@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def set_password(request: HttpRequest) -> HttpResponse:
    """R-ACC-2/3: "Stel uw wachtwoord in a.u.b.", then logged in; first time on Mijn gegevens."""
    token = _token_from_session(request, AccountToken.Purpose.SET_PASSWORD)
    if token is None or not token.is_valid:
        return _link_problem(request, token)
    form = SetPasswordForm(request.POST or None, user=token.user)
    if request.method == "POST" and form.is_valid():
        user = services.set_password(
            token=token, password=form.cleaned_data["new_password1"], request=request
        )
        first_login = user.last_login is None
        request.session.pop(SESSION_KEYS[AccountToken.Purpose.SET_PASSWORD], None)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your password has been set. You are now logged in."))
        return redirect(_landing_after_login(request, first_login))
    return render(request, "accounts/set_password.html", {"form": form})


@never_cache
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """ "Mijn gegevens": name, e-mail address and the language choice (R-ME-1)."""
    form = LanguageForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        services.set_language(user=request.user, language=form.cleaned_data["language"])
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_not_required
@require_http_methods(["POST"])
def choose_language(request: HttpRequest) -> HttpResponse:
    """The language switch of the pages before login: remembered in a cookie."""
    language = request.POST.get("language", "")
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("accounts:login")
    response = redirect(target)
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            services.set_language(user=request.user, language=language)
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
        )
    return response
