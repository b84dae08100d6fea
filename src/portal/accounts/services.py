"""The account actions: every path (the staff workspace, the API, the admin for staff
accounts, the demo data) creates and invites accounts through these functions, so that
e-mails and the audit trail follow on each of them."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal.audit.services import record
from portal.notifications.email import queue_email
from portal.offices.models import Office

from .models import AccountToken, Client, User
from .roles import Role
from .signals import invitation_accepted

# Each link purpose: the e-mail that carries it and the page it opens.
LINK_EMAILS: dict[str, tuple[str, str]] = {
    AccountToken.Purpose.INVITATION: ("invitation", "accounts:invitation"),
    AccountToken.Purpose.SET_PASSWORD: ("set_password", "accounts:set_password"),
    AccountToken.Purpose.LOGIN_LINK: ("login_link", "accounts:login_link"),
}


class LinkUsed(Exception):
    """The link was used (or expired) while this request was on its way: another request with
    the same link got there first."""


def _email_link(user: User, purpose: str) -> None:
    """Issue a single-use link for ``purpose`` and queue the e-mail that carries it."""
    template, url_name = LINK_EMAILS[purpose]
    raw = AccountToken.issue(user, purpose)
    queue_email(
        to_user=user,
        template=template,
        context={
            "link": Office.current().base_url + reverse(url_name, kwargs={"token": raw}),
            "hours": AccountToken.lifetime_hours(purpose),
            "minutes": int(AccountToken.lifetime(purpose).total_seconds() // 60),
        },
    )


def _use(token: AccountToken) -> None:
    """Use the link up before anything it allows happens; LinkUsed if it was already."""
    if not token.use():
        raise LinkUsed


@transaction.atomic
def create_client(
    *,
    kind: str,
    name: str,
    email: str,
    full_name: str = "",
    language: str = "nl",
    reference: str = "",
    invite: bool = True,
    by: User | None = None,
) -> Client:
    """Create a client (person or company) with its main account; optionally invite it."""
    client = Client.objects.create(kind=kind, name=name, reference=reference)
    user = User.objects.create_user(
        email=email,
        full_name=full_name or name,
        language=language,
        client=client,
        is_main_account=True,
    )
    record("client.created", actor=by, target=client, kind=kind)
    if invite:
        invite_user(user=user, by=by)
    return client


@transaction.atomic
def add_account(
    *,
    client: Client,
    email: str,
    full_name: str,
    language: str = "nl",
    invite: bool = True,
    by: User | None = None,
) -> User:
    """Add an extra account to a company (R-ME-4; screens in a later issue)."""
    if not client.is_company:
        raise ValueError("Only a company can have extra accounts.")
    user = User.objects.create_user(
        email=email, full_name=full_name, language=language, client=client, is_main_account=False
    )
    record("account.added", actor=by, target=user, client=client)
    if invite:
        invite_user(user=user, by=by)
    return user


@transaction.atomic
def add_staff_account(
    *,
    email: str,
    full_name: str,
    language: str = "nl",
    role: str = Role.HANDLER,
    by: User | None = None,
) -> User:
    """A new staff member (R-OFF-1): no password yet; the invitation lets them set one, then
    the workspace asks for the second factor."""
    user = User.objects.create_user(
        email=email, full_name=full_name, language=language, is_staff=True, staff_role=role
    )
    record("account.added", actor=by, target=user, role=role)
    invite_user(user=user, by=by)
    return user


@transaction.atomic
def set_staff_role(*, account: User, role: str, by: User | None = None) -> bool:
    """Make a staff member a handler or an office administrator (``roles``). Returns False
    when nothing changed."""
    if account.staff_role == role:
        return False
    before = account.staff_role
    account.staff_role = role
    account.save(update_fields=["staff_role"])
    record("account.role_changed", actor=by, target=account, before=before, after=role)
    return True


@transaction.atomic
def update_account(*, account: User, by: User | None = None, **fields: Any) -> list[str]:
    """Change an account's own details (name, e-mail address, language). Returns the names of
    the fields that changed."""
    changed = [name for name, value in fields.items() if getattr(account, name) != value]
    if changed:
        for name in changed:
            setattr(account, name, fields[name])
        account.save(update_fields=changed)
        record("account.changed", actor=by, target=account, fields=changed)
    return changed


@transaction.atomic
def invite_user(*, user: User, by: User | None = None) -> None:
    """Send the first e-mail (R-ACC-1). Earlier invitation links of the user stop working."""
    user.tokens.filter(purpose=AccountToken.Purpose.INVITATION, used_at__isnull=True).update(
        used_at=timezone.now()
    )
    _email_link(user, AccountToken.Purpose.INVITATION)
    record("account.invited", actor=by, target=user)


@transaction.atomic
def send_password_link(*, user: User) -> None:
    """Send the second e-mail: a link to set (or reset) the password (R-ACC-1, R-ACC-4)."""
    _email_link(user, AccountToken.Purpose.SET_PASSWORD)
    record("account.password_link_sent", actor=user, target=user)


@transaction.atomic
def accept_invitation(*, token: AccountToken) -> None:
    """The invited client confirmed their address: use up the invitation, send the link.
    LinkUsed if the invitation was used meanwhile."""
    _use(token)
    send_password_link(user=token.user)
    user = token.user
    transaction.on_commit(lambda: invitation_accepted.send(sender=User, user=user))


@transaction.atomic
def remove_account(*, account: User, by: User | None = None) -> None:
    """Delete a company's extra account (R-ME-4). Access ends at once: the user row goes (so
    no session of it authenticates any more) and so do its session rows."""
    if account.is_main_account or account.client is None or not account.client.is_company:
        raise ValueError("Only a company's extra account can be removed this way.")
    record(
        "account.removed",
        actor=by,
        target=account,
        email=account.email,
    )
    end_sessions(account)
    account.delete()


@transaction.atomic
def set_blocked(*, account: User, blocked: bool, by: User | None = None) -> bool:
    """Block (``is_active=False``) or unblock an account (R-OFF-1). Blocking ends the account's
    sessions at once, as ``remove_account`` does. Returns False when nothing changed."""
    if account.is_active == (not blocked):
        return False
    account.is_active = not blocked
    account.save(update_fields=["is_active"])
    record(
        "account.blocked" if blocked else "account.unblocked",
        actor=by,
        target=account,
    )
    if blocked:
        end_sessions(account)
    return True


def end_sessions(user: User, *, keep: str | None = None) -> int:
    """Delete the database sessions of ``user`` (all but the session key ``keep``), and their
    copies in the cache when the session store keeps one (``cached_db``). Returns how many."""
    keys = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get(SESSION_KEY) == str(user.pk) and session.session_key != keep
    ]
    Session.objects.filter(session_key__in=keys).delete()
    # After the rows: a request that misses the cache now finds no row either.
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if keys and hasattr(store, "cache_key_prefix"):
        caches[settings.SESSION_CACHE_ALIAS].delete_many(
            [store.cache_key_prefix + key for key in keys]
        )
    return len(keys)


def request_password_link(*, email: str) -> None:
    """Forgotten password (R-ACC-4). Does the same visible thing whether or not ``email`` has
    an account: the caller shows one answer for both."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        record("account.password_link_unknown_address")
        return
    send_password_link(user=user)


@transaction.atomic
def set_password(*, token: AccountToken, password: str) -> User:
    """Set the password from a link (R-ACC-2) and send the third e-mail (R-ACC-3).

    Every outstanding link of the user is used up: a link works once. LinkUsed (and nothing
    changed) if this link was used meanwhile.
    """
    _use(token)
    user = token.user
    now = timezone.now()
    user.set_password(password)
    user.password_set_at = now
    user.save(update_fields=["password", "password_set_at"])
    user.tokens.filter(used_at__isnull=True).update(used_at=now)
    queue_email(to_user=user, template="password_set")
    record("account.password_set", actor=user, target=user)
    return user


def send_login_link(*, email: str) -> None:
    """A login for ``email`` needs a login link (its account is under a guessing attack, see
    ``lockout.py``). Does the same visible thing whether or not ``email`` has an account: the
    caller shows one answer for both. One link at a time: while one is outstanding no other
    is sent, so the attacker's tries do not flood the owner's mailbox."""
    record("login.link_required", target=email[:200])
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return
    with transaction.atomic():
        # The user's row lock makes "no link outstanding, so send one" a single step.
        User.objects.select_for_update().filter(pk=user.pk).first()
        if user.tokens.outstanding().filter(purpose=AccountToken.Purpose.LOGIN_LINK).exists():
            return
        _email_link(user, AccountToken.Purpose.LOGIN_LINK)
        record("login.link_sent", target=user)


def use_login_link(*, token: AccountToken) -> None:
    """The login that needed ``token`` succeeded: the link is used up (LinkUsed if another
    request used it first)."""
    _use(token)
    record("login.link_used", actor=token.user, target=token.user)


def set_language(*, user: User, language: str) -> None:
    """Store the user's language choice (R-ME-1): the UI and e-mails follow it."""
    if language not in dict(User.Language.choices):
        raise ValueError(f"Unknown language {language!r}")
    user.language = language
    user.save(update_fields=["language"])


@transaction.atomic
def update_client(*, client: Client, by: User | None = None, **fields: Any) -> list[str]:
    """Change a client's own details (name, reference in the office's system). Moves
    ``client.updated_at`` (``updated_since`` finds it). Returns the names of the fields that
    changed; nothing is written or recorded when nothing did."""
    changed = [name for name, value in fields.items() if getattr(client, name) != value]
    if changed:
        for name in changed:
            setattr(client, name, fields[name])
        client.save(update_fields=[*changed, "updated_at"])
        record("client.changed", actor=by, target=client, fields=changed)
    return changed


def is_client_active(client: Client) -> bool:
    """A client is active while one of its accounts may log in (reads ``client.accounts``,
    prefetched by the lists)."""
    return any(account.is_active for account in client.accounts.all())


@transaction.atomic
def set_client_active(*, client: Client, active: bool, by: User | None = None) -> bool:
    """Deactivate a client: block every account of it (``set_blocked``: their sessions end at
    once), or reactivate it: unblock them. Its dossiers and grants stay as they are. Moves
    ``client.updated_at``. Returns False when nothing changed."""
    changed = [
        set_blocked(account=account, blocked=not active, by=by)
        for account in client.accounts.order_by("pk")
    ]
    if not any(changed):
        return False
    client.save(update_fields=["updated_at"])
    record("client.reactivated" if active else "client.deactivated", actor=by, target=client)
    return True
