"""Signing requests (R-SIG-5): one path for the workspace, the client's "Acties" pages, the API
and the tests.

- ``request_signatures``: staff name the signers (client accounts with access to the dossier)
  of a published PDF. Each signer gets a ``Signer`` row and an ``Action`` of kind ``signing``
  under "Acties"; their clients are told (content-free e-mail, as for questionnaires).
- ``sign``: a signer signs, after the caller has checked a FRESH second factor
  (``portal.twofactor.confirm``): time, method, address and the document's SHA-256 are
  recorded. The last signature completes the request and, after commit, queues the signed PDF
  (``signing_pdf.store_signed_pdf``: evidence page, seal, supplied to the dossier).
- ``decline``: with a reason; the request is declined, the other signers' actions go.
- ``withdraw``: the office takes an open request back.

This is where a qualified signing provider would plug in (docs/signing.md): ``sign`` receives
a confirmed signer and makes the evidence; a provider's signature would be obtained there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Client, User
from portal.audit import context as audit_context
from portal.audit.services import record
from portal.documents.models import Document
from portal.dossiers.models import Dossier

from . import tasks
from .models import Action, Signer, SigningRequest
from .signals import action_updated, questionnaire_sent, signing_declined

#: The longest reason for declining kept (a clear error beyond it, nothing cut).
MAX_REASON = 2000
PUBLISHED_KINDS = {Document.Kind.CORRESPONDENCE, Document.Kind.DOCUMENT}


class NotOpen(Exception):
    """The request is no longer open, or this signer has already answered."""


class NoAccess(Exception):
    """The signer no longer has access to the dossier (or is not the account asked)."""


def document_sha256(document: Document) -> str:
    """The SHA-256 of the document's stored bytes, read now (the hash the signer signs)."""
    digest = hashlib.sha256()
    with document.file.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def signable_accounts(dossier: Dossier) -> list[User]:
    """The active client accounts with access to ``dossier``: who may be asked to sign."""
    return list(
        User.objects.filter(
            is_active=True, client__isnull=False, client__grants__dossier=dossier
        ).order_by("full_name", "email", "pk")
    )


def may_sign(account: User, dossier: Dossier) -> bool:
    return Dossier.objects.visible_to(account).filter(pk=dossier.pk).exists()


def request_signatures(
    *,
    document: Document,
    accounts: Iterable[User],
    explanation: str = "",
    by: User | None = None,
) -> SigningRequest:
    """R-SIG-5: ask ``accounts`` to sign ``document`` (a PDF the office published). Raises
    ValidationError with the reason when it cannot be asked."""
    signers = list(dict.fromkeys(accounts))
    dossier = document.dossier
    if document.kind not in PUBLISHED_KINDS:
        raise ValidationError(_("Only a document the office published can be signed."))
    if document.content_type != "application/pdf":
        raise ValidationError(_("Only a PDF document can be signed."))
    if not signers:
        raise ValidationError(_("Choose at least one signer."))
    clients: dict[int, Client] = {}
    for account in signers:
        if account.client is None or not may_sign(account, dossier):
            raise ValidationError(
                _("%(name)s has no access to this dossier.") % {"name": account.get_full_name()}
            )
        clients[account.pk] = account.client
    with transaction.atomic():
        request = SigningRequest.objects.create(
            dossier=dossier, document=document, explanation=explanation, created_by=by
        )
        for position, account in enumerate(signers):
            action = Action.objects.create(
                kind=Action.Kind.SIGNING,
                dossier=dossier,
                client=clients[account.pk],
                title_nl=document.title,
                title_en=document.title,
                description_nl=explanation,
                sent_by=by,
            )
            Signer.objects.create(
                request=request,
                account=account,
                action=action,
                position=position,
                name=account.get_full_name(),
                email=account.email,
            )
        record(
            "signing.requested",
            actor=by,
            dossier=dossier,
            target=document.title,
            signing_request=request.pk,
            document=document.pk,
            signers=[account.pk for account in signers],
        )
        for client in {client.pk: client for client in clients.values()}.values():
            transaction.on_commit(
                partial(questionnaire_sent.send, sender=Action, dossier=dossier, client=client)
            )
    return request


def _close_action(action_id: int, status: str, by: User | None) -> None:
    now = timezone.now()
    values = {"status": status, "version": F("version") + 1, "updated_at": now}
    if status == Action.Status.COMPLETED:
        values.update(completed_at=now, completed_by=by)
    if Action.objects.filter(pk=action_id, status=Action.Status.OPEN).update(**values):
        # A compare-and-set UPDATE sends no post_save: the changes feed hears this instead.
        action_updated.send(sender=Action, action=Action.objects.get(pk=action_id))


def _locked(signer: Signer) -> tuple[SigningRequest, Signer]:
    request = SigningRequest.objects.select_for_update().get(pk=signer.request_id)
    current = Signer.objects.select_for_update().get(pk=signer.pk)
    return request, current


def sign(*, signer: Signer, by: User, method: str) -> SigningRequest:
    """Record ``by``'s signature: the caller has just checked a fresh second factor by
    ``method`` ("sms", "totp", "passkey"). Raises ``NoAccess`` (not the signer, or no access to
    the dossier any more) or ``NotOpen``. The last signature completes the request and queues
    the signed PDF after commit."""
    if method not in Signer.Method.values:
        raise ValueError(method)
    with transaction.atomic():
        request, current = _locked(signer)
        if current.account_id != by.pk or not may_sign(by, request.dossier):
            raise NoAccess
        if not request.is_open or current.status != Signer.Status.PENDING:
            raise NotOpen
        document = Document.objects.get(pk=request.document_id)
        now = timezone.now()
        current.status = Signer.Status.SIGNED
        current.signed_at = now
        current.method = method
        current.ip = audit_context.current().address
        current.document_sha256 = document_sha256(document)
        current.name = by.get_full_name()
        current.email = by.email
        current.save()
        _close_action(current.action_id, Action.Status.COMPLETED, by)
        record(
            "signing.signed",
            actor=by,
            dossier=request.dossier,
            target=document.title,
            signing_request=request.pk,
            method=method,
            sha256=current.document_sha256,
        )
        pending = Signer.objects.filter(request=request).exclude(status=Signer.Status.SIGNED)
        if not pending.exists():
            request.status = SigningRequest.Status.COMPLETED
            request.closed_at = now
            request.save(update_fields=["status", "closed_at", "updated_at"])
            record(
                "signing.completed",
                actor=by,
                dossier=request.dossier,
                target=document.title,
                signing_request=request.pk,
            )
            pk = request.pk
            # robust: with the broker down the sweep make_missing_signed_pdfs makes it later.
            transaction.on_commit(lambda: tasks.make_signed_pdf.delay(pk), robust=True)
    return request


def decline(*, signer: Signer, by: User, reason: str) -> SigningRequest:
    """``by`` declines to sign, with a reason (required): the request is declined, the other
    signers' open actions go, the office is told (webhook ``signing.declined``)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why you do not sign."))
    if len(reason) > MAX_REASON:
        raise ValidationError(
            _("Keep the reason under %(limit)d characters.") % {"limit": MAX_REASON}
        )
    with transaction.atomic():
        request, current = _locked(signer)
        if current.account_id != by.pk or not may_sign(by, request.dossier):
            raise NoAccess
        if not request.is_open or current.status != Signer.Status.PENDING:
            raise NotOpen
        now = timezone.now()
        current.status = Signer.Status.DECLINED
        current.declined_at = now
        current.decline_reason = reason
        current.save(update_fields=["status", "declined_at", "decline_reason"])
        request.status = SigningRequest.Status.DECLINED
        request.closed_at = now
        request.save(update_fields=["status", "closed_at", "updated_at"])
        _close_action(current.action_id, Action.Status.COMPLETED, by)
        for other in Signer.objects.filter(request=request).exclude(pk=current.pk):
            _close_action(other.action_id, Action.Status.CANCELLED, None)
        record(
            "signing.declined",
            actor=by,
            dossier=request.dossier,
            target=request.document.title,
            signing_request=request.pk,
        )
        transaction.on_commit(
            lambda: signing_declined.send(sender=SigningRequest, request=request, signer=current)
        )
    return request


def withdraw(*, request: SigningRequest, by: User | None) -> bool:
    """The office takes back an open request: the signers no longer see it. Returns False if
    it was no longer open."""
    with transaction.atomic():
        locked = SigningRequest.objects.select_for_update().get(pk=request.pk)
        if not locked.is_open:
            return False
        locked.status = SigningRequest.Status.WITHDRAWN
        locked.closed_at = timezone.now()
        locked.save(update_fields=["status", "closed_at", "updated_at"])
        for signer in Signer.objects.filter(request=locked):
            _close_action(signer.action_id, Action.Status.CANCELLED, None)
        record(
            "signing.withdrawn",
            actor=by,
            dossier=locked.dossier,
            target=locked.document.title,
            signing_request=locked.pk,
        )
    request.refresh_from_db()
    return True
