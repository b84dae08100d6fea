"""Sign-in and onboarding pages (R-ACC-1..4) and "Mijn gegevens" (R-ME-1)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts import lockout, services
from portal.accounts.models import AccountToken, Client, User
from portal.accounts.ratelimits import ANY_METHOD, limited
from portal.accounts.roles import is_staff_member
from portal.audit.services import record
from portal.exports import services as exports
from portal.notifications import services as notifications
from portal.request_types import AuthenticatedRequest
from portal.twofactor import passkeys
from portal.twofactor import services as twofactor
from portal.twofactor.login import mark_verified, start_pending_login

from ..twofactor.forms import PasskeyAnswerForm
from .forms import (
    EmailForm,
    ExtraAccountForm,
    InvitationEmailForm,
    LanguageForm,
    LoginForm,
    NotificationForm,
    SetPasswordForm,
)

SESSION_KEYS: dict[str, str] = {
    AccountToken.Purpose.INVITATION: "_invitation_token",
    AccountToken.Purpose.SET_PASSWORD: "_set_password_token",
    AccountToken.Purpose.LOGIN_LINK: "_login_link_token",
}


def _landing_after_login(request: HttpRequest, user: User, first_login: bool) -> str:
    """Staff go to the workspace's inbox (whose gate first asks a staff member without a
    second factor to set one up); a client's first login opens "Mijn gegevens" (R-ACC-3,
    manual §2), a later one Home. A safe ``next`` wins, except at a client's first login."""
    staff = is_staff_member(user)
    if first_login and not staff:
        return reverse("accounts:profile")
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("workspace:inbox" if staff else "home")


class LoginView(auth_views.LoginView):
    """R-ACC-4: "Welkom op het klantenportaal van <office>", e-mail, password, "Inloggen";
    and "Inloggen met een passkey" (R-X-2) without a password."""

    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    #: The login link this login needs and has (its account is under a guessing attack).
    login_link: AccountToken | None = None

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        typed = lockout.lockout_username(request, None)
        if lockout.needs_login_link(request, typed):
            self.login_link = self._opened_login_link(typed)
            if self.login_link is None:
                # The password alone is not enough, and is not checked: the answer must not
                # tell whether it was right.
                services.send_login_link(email=typed)
                return render(
                    request,
                    "accounts/login_link_sent.html",
                    {
                        "email": request.POST.get("username", ""),
                        "minutes": settings.LOGIN_LINK_MINUTES,
                    },
                )
        return super().post(request, *args, **kwargs)

    def _opened_login_link(self, email: str) -> AccountToken | None:
        """The login link this browser opened, if it is valid and for ``email``."""
        token = _token_from_session(self.request, AccountToken.Purpose.LOGIN_LINK)
        if token is None or not token.is_valid or token.user.email != email:
            return None
        return token

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if self.login_link is not None:
            # Used up here, atomically: of several browsers with the same link one gets in.
            try:
                services.use_login_link(token=self.login_link)
            except services.LinkUsed:
                self.login_link.refresh_from_db()
                return _link_problem(self.request, self.login_link)
            self.request.session.pop(SESSION_KEYS[AccountToken.Purpose.LOGIN_LINK], None)
        first_login = user.last_login is None
        landing = _landing_after_login(self.request, user, first_login)
        if twofactor.is_enabled(user):
            # R-ME-2: not logged in yet; the code comes first (a pending login).
            backend = user.backend  # type: ignore[attr-defined]  # set by authenticate()
            return start_pending_login(self.request, user, backend=backend, landing=landing)
        login(self.request, user)
        return redirect(landing)


@login_not_required
@never_cache
@require_POST
@limited("code")
def passkey_login_options(request: HttpRequest) -> HttpResponse:
    """The options of a sign-in with a passkey (asked for by passkeys.js when the button is
    pressed, so that a visitor who does not use one gets no session)."""
    return JsonResponse(passkeys.authentication_options(request))


@login_not_required
@never_cache
@require_POST
@limited("code")
def passkey_login(request: HttpRequest) -> HttpResponse:
    """R-X-2: sign in with a passkey alone. It was made with user verification (PIN, fingerprint
    or face) and is used with it again: two factors, so the session counts as verified."""
    form = PasskeyAnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise passkeys.PasskeyError("no answer")
        device = passkeys.authenticate(request, answer=form.cleaned_data["answer"])
    except passkeys.PasskeyError:
        messages.error(
            request,
            _(
                "You could not be logged in with that passkey. Try again, or log in with your "
                "e-mail address and password."
            ),
        )
        return redirect("accounts:login")
    user = device.user
    landing = _landing_after_login(request, user, user.last_login is None)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    mark_verified(request)
    record("login.passkey", actor=user, target=user, name=device.name)
    return redirect(landing)


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
@limited("account_link", methods=ANY_METHOD)
def invitation_link(request: HttpRequest, token: str) -> HttpResponse:
    return _stash(
        request, AccountToken.Purpose.INVITATION, token, reverse("accounts:invitation_form")
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
@limited("account_link")
def invitation(request: HttpRequest) -> HttpResponse:
    """R-ACC-1: the first e-mail's link; the client enters their e-mail address, "Verstuur"."""
    token = _token_from_session(request, AccountToken.Purpose.INVITATION)
    if token is None or not token.is_valid:
        return _link_problem(request, token)
    form = InvitationEmailForm(request.POST or None, user=token.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.accept_invitation(token=token)
        except services.LinkUsed:
            token.refresh_from_db()
            return _link_problem(request, token)
        request.session.pop(SESSION_KEYS[AccountToken.Purpose.INVITATION], None)
        return _link_sent(request, token.user.email)
    return render(request, "accounts/invitation.html", {"form": form})


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
@limited("password_reset")
def forgot_password(request: HttpRequest) -> HttpResponse:
    """R-ACC-4: "Instellen wachtwoord". The same answer whether or not the address is known."""
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.request_password_link(email=form.cleaned_data["email"])
        return _link_sent(request, form.cleaned_data["email"])
    return render(request, "accounts/forgot_password.html", {"form": form})


@login_not_required
@never_cache
@limited("account_link", methods=ANY_METHOD)
def set_password_link(request: HttpRequest, token: str) -> HttpResponse:
    return _stash(
        request, AccountToken.Purpose.SET_PASSWORD, token, reverse("accounts:set_password_form")
    )


@login_not_required
@never_cache
@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
@limited("account_link")
def set_password(request: HttpRequest) -> HttpResponse:
    """R-ACC-2/3: "Stel uw wachtwoord in a.u.b.", then logged in; first time on Mijn gegevens."""
    token = _token_from_session(request, AccountToken.Purpose.SET_PASSWORD)
    if token is None or not token.is_valid:
        return _link_problem(request, token)
    form = SetPasswordForm(request.POST or None, user=token.user)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.set_password(token=token, password=form.cleaned_data["new_password1"])
        except services.LinkUsed:
            token.refresh_from_db()
            return _link_problem(request, token)
        first_login = user.last_login is None
        request.session.pop(SESSION_KEYS[AccountToken.Purpose.SET_PASSWORD], None)
        backend = "django.contrib.auth.backends.ModelBackend"
        if twofactor.is_enabled(user):
            # A password link is no second factor: the code is still asked (R-ME-2).
            messages.success(request, _("Your password has been set."))
            return start_pending_login(
                request,
                user,
                backend=backend,
                landing=_landing_after_login(request, user, first_login),
            )
        login(request, user, backend=backend)
        messages.success(request, _("Your password has been set. You are now logged in."))
        return redirect(_landing_after_login(request, user, first_login))
    return render(request, "accounts/set_password.html", {"form": form})


@login_not_required
@never_cache
@limited("account_link", methods=ANY_METHOD)
def login_link(request: HttpRequest, token: str) -> HttpResponse:
    return _stash(
        request, AccountToken.Purpose.LOGIN_LINK, token, reverse("accounts:login_link_form")
    )


@login_not_required
@never_cache
@limited("account_link", methods=ANY_METHOD)
def login_link_form(request: HttpRequest) -> HttpResponse:
    """The login link from the e-mail was opened: this browser may now log in to its account
    with the password (the link is used up by that login)."""
    token = _token_from_session(request, AccountToken.Purpose.LOGIN_LINK)
    if token is None or not token.is_valid:
        return _link_problem(request, token)
    messages.info(request, _("Thank you. Now log in with your e-mail address and password."))
    return redirect("accounts:login")


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedRequest) -> HttpResponse:
    """ "Mijn gegevens": name and e-mail address, the language (R-ME-1), two-step verification
    (R-ME-2), notifications (R-ME-3) and, for a company's main account, its accounts (R-ME-4)."""
    user = request.user
    form = LanguageForm(request.POST or None, initial={"language": user.language})
    if request.method == "POST" and form.is_valid():
        services.set_language(user=user, language=form.cleaned_data["language"])
        response = redirect("accounts:profile")
        # The login page after logging out speaks the same language.
        _set_language_cookie(response, form.cleaned_data["language"])
        return response
    context = {"form": form, "twofactor": twofactor.status(user)}
    if user.client_id:
        prefs = notifications.preferences(user)
        context["notification_form"] = NotificationForm(
            initial={
                "documents": prefs.documents,
                "questionnaires": prefs.questionnaires,
                "messages": prefs.messages,
            }
        )
        # R-RET-2: the status of "Mijn gegevens downloaden".
        context["export"] = exports.latest_for(user)
    return render(request, "accounts/profile.html", context)


@never_cache
@require_POST
def notification_settings(request: AuthenticatedRequest) -> HttpResponse:
    """R-ME-3: save the three notification choices."""
    if not request.user.client_id:
        raise Http404
    form = NotificationForm(request.POST)
    if form.is_valid():
        notifications.set_preferences(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your notification settings have been saved."))
    return redirect(reverse("accounts:profile") + "#notifications-heading")


# --- Company accounts (R-ME-4) -----------------------------------------------------------------


def _company_of_main_account(request: AuthenticatedRequest) -> Client:
    """The company whose accounts the user manages; 404 for anyone but its main account."""
    user = request.user
    if not (user.is_main_account and user.client is not None and user.client.is_company):
        raise Http404
    return user.client


def _extra_account(request: AuthenticatedRequest, pk: int) -> User:
    company = _company_of_main_account(request)
    return get_object_or_404(User.objects.filter(client=company, is_main_account=False), pk=pk)


@never_cache
def extra_accounts(request: AuthenticatedRequest) -> HttpResponse:
    """ "Accounts" → "Extra accounts": the company's extra accounts."""
    company = _company_of_main_account(request)
    accounts = User.objects.filter(client=company, is_main_account=False).order_by("email")
    return render(
        request, "accounts/extra_accounts.html", {"company": company, "accounts": accounts}
    )


@never_cache
@require_http_methods(["GET", "POST"])
def extra_account_add(request: AuthenticatedRequest) -> HttpResponse:
    company = _company_of_main_account(request)
    form = ExtraAccountForm(request.POST or None, initial={"language": request.user.language})
    if request.method == "POST" and form.is_valid():
        account = services.add_account(
            client=company,
            email=form.cleaned_data["email"],
            full_name=form.cleaned_data["full_name"],
            language=form.cleaned_data["language"],
            by=request.user,
        )
        messages.success(
            request,
            _("The extra account has been added; %(email)s receives an invitation by e-mail.")
            % {"email": account.email},
        )
        return redirect("accounts:extra_account", pk=account.pk)
    return render(request, "accounts/extra_account_add.html", {"form": form})


@never_cache
def extra_account(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    account = _extra_account(request, pk)
    return render(request, "accounts/extra_account.html", {"account": account})


@never_cache
@require_http_methods(["GET", "POST"])
def extra_account_delete(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    account = _extra_account(request, pk)
    if request.method == "POST":
        services.remove_account(account=account, by=request.user)
        messages.success(request, _("The extra account has been deleted."))
        return redirect("accounts:extra_accounts")
    return render(request, "accounts/extra_account_delete.html", {"account": account})


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
        _set_language_cookie(response, language)
    return response
