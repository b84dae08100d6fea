"""WCAG 2.2 AA on the server's side of the sign-in (issue 15 item 4): criterion 3.3.8
accessible authentication (the right ``autocomplete`` on every password and code field, paste
never blocked, the show-password script on every page) and 3.3.7 redundant entry (the
set-password page knows the account's address, so a password manager saves the password under
it without the client typing it again). The behaviour in a browser: tests/browser/test_wcag22.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client as HttpClient

from portal.accounts import services
from portal.accounts.models import Client
from portal.web.accounts.forms import EmailForm, LoginForm, SetPasswordForm
from portal.web.twofactor.forms import CodeForm, LoginCodeForm, MobileNumberForm, PasswordForm

from .factories import UserFactory
from .mail import links, path_of

SRC = Path(__file__).resolve().parents[1] / "src" / "portal"


def autocomplete(form, name: str) -> str | None:
    return form.fields[name].widget.attrs.get("autocomplete")


@pytest.mark.django_db
def test_every_password_and_code_field_names_its_autocomplete_WCAG_3_3_8():
    """R-X-4, issue 15 item 4 (3.3.8): password managers and one-time-code autofill work on every
    login, set-password, code and password-asked-again field."""
    user = UserFactory()
    assert autocomplete(LoginForm(), "username") in {"username", "email"}
    assert autocomplete(LoginForm(), "password") == "current-password"
    assert autocomplete(EmailForm(), "email") in {"username", "email"}
    form = SetPasswordForm(user=user)
    assert autocomplete(form, "new_password1") == autocomplete(form, "new_password2")
    assert autocomplete(form, "new_password1") == "new-password"
    assert autocomplete(PasswordForm(user=user), "password") == "current-password"
    assert autocomplete(MobileNumberForm(user=user), "password") == "current-password"
    assert autocomplete(CodeForm(), "code") == "one-time-code"
    assert autocomplete(LoginCodeForm(), "code") == "one-time-code"


def test_nothing_blocks_pasting_WCAG_3_3_8():
    """R-X-4, issue 15 item 4 (3.3.8): no template or script of the portal cancels a paste, a
    copy or a drop into a field, or turns autocomplete off on a password or code field."""
    blocking = re.compile(
        r"onpaste|oncopy|addEventListener\(\s*[\"'](paste|copy|cut)[\"']", re.IGNORECASE
    )
    files = [*SRC.rglob("*.js"), *SRC.rglob("*.html")]
    assert len(files) > 50
    offenders = [
        str(f) for f in files if "/admin/" not in str(f) and blocking.search(f.read_text())
    ]
    assert offenders == []
    py = "\n".join(p.read_text() for p in SRC.rglob("forms.py"))
    assert not re.search(r"PasswordInput\(attrs=\{[^}]*\"autocomplete\": \"off\"", py)


@pytest.mark.django_db
def test_every_page_loads_the_show_password_script_WCAG_3_3_8(client):
    """R-X-4, issue 15 item 4 (3.3.8): the login page carries the translated toggle's name and the
    portal's own password.js (a static file: the strict CSP stays)."""
    page = client.get("/inloggen/").content.decode()
    assert 'data-show-password="Wachtwoord tonen"' in page
    assert re.search(r'<script src="/static/portal/password\.js[^"]*" defer>', page)
    http = HttpClient()
    http.cookies["django_language"] = "en"
    assert 'data-show-password="Show password"' in http.get("/inloggen/").content.decode()
    script = (SRC / "static" / "portal" / "password.js").read_text()
    assert "aria-pressed" in script and "aria-controls" in script


@pytest.mark.django_db
def test_set_password_names_the_account_for_password_managers_WCAG_3_3_7(client, run, mailoutbox):
    """R-X-4, issue 15 item 4 (3.3.7, 3.3.8): after the invitation (where the address is asked once,
    as a security check) the set-password page shows the account's address and gives it to
    password managers (autocomplete="username"): it is never typed again."""
    account = run(
        services.create_client,
        kind=Client.Kind.PERSON,
        name="Jan de Vries",
        email="nieuw@example.test",
        full_name="Jan de Vries",
    ).accounts.get()
    run(services.send_password_link, user=account)
    link = [u for u in links(mailoutbox[-1].body) if "/wachtwoord/nieuw/" in u][0]
    client.get(path_of(link))
    page = client.get("/wachtwoord/nieuw/").content.decode()
    assert "Voor het account nieuw@example.test." in page
    field = re.search(r'<input type="email" name="username"[^>]*>', page).group(0)
    assert 'value="nieuw@example.test"' in field and 'autocomplete="username"' in field
    assert page.count('autocomplete="new-password"') == 2
