"""The audit trail as staff read it (R-X-1): each entry as a sentence in the reader's language,
never as its code. ``describe(entry)`` fills the action's sentence with the object, the dossier
number and the details recorded; an action without a sentence (new code, old rows) still reads
as a sentence. Reads only the entry and its ``dossier`` (select it with the entry)."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Field
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .models import related_model

DENIED = "request.denied"
RATE_LIMITED = "rate_limited"

# Placeholders: %(target)s the object as recorded (a number, a name, an e-mail address, a file
# name, a subject), %(dossier)s the dossier's number, and per action the details named below.
SENTENCES = {
    "dossier.created": _("Dossier %(target)s created"),
    "dossier.updated": _("Dossier %(target)s changed: %(fields)s"),
    "dossier.hold_placed": _("Legal hold placed on dossier %(target)s"),
    "dossier.hold_lifted": _("Legal hold on dossier %(target)s lifted"),
    # These two are not recorded (the admin does not write dossiers or their progress); kept so
    # that entries already in the audit trail read as sentences.
    "dossier.changed": _("Dossier %(target)s changed in the admin: %(fields)s"),
    "dossier.progress_set": _("Progress list of dossier %(target)s saved"),
    "dossier.progress_changed": _("Progress list of dossier %(target)s changed in the admin"),
    "dossier.access_granted": _("Access to dossier %(dossier)s granted to %(target)s"),
    "dossier.access_revoked": _("Access to dossier %(dossier)s revoked for %(target)s"),
    "document.published": _("Document “%(target)s” published in dossier %(dossier)s"),
    "document.supplied": _("Document “%(target)s” supplied in dossier %(dossier)s"),
    "document.downloaded": _("Document “%(target)s” downloaded in dossier %(dossier)s"),
    "document.viewed": _("Document “%(target)s” viewed in dossier %(dossier)s"),
    "document.seen_by_office": _(
        "Document “%(target)s” marked as seen by the office in dossier %(dossier)s"
    ),
    "message.sent": _("Message “%(target)s” sent in dossier %(dossier)s"),
    "message.handled": _("Message “%(target)s” marked as handled in dossier %(dossier)s"),
    "questionnaire.sent": _("Questionnaire “%(target)s” sent in dossier %(dossier)s"),
    "questionnaire.completed": _("Questionnaire “%(target)s” completed in dossier %(dossier)s"),
    "upload_request.sent": _("Upload request “%(target)s” sent in dossier %(dossier)s"),
    "upload_request.completed": _("Upload request “%(target)s” fulfilled in dossier %(dossier)s"),
    "action.handled": _("“%(target)s” marked as handled in dossier %(dossier)s"),
    "client.created": _("Client %(target)s created"),
    "client.changed": _("Details of client %(target)s changed"),
    "client.deactivated": _("Client %(target)s deactivated: every account blocked"),
    "client.reactivated": _("Client %(target)s reactivated: every account unblocked"),
    # R-RET-3: the target is the neutral "gewiste cliënt #<id>" (the name is gone).
    "client.erased": _("Client %(target)s erased at the office's request"),
    "client.removed_inactive": _("Client %(target)s removed after a period without dossiers"),
    "client.erasure_warned": _("Client %(target)s warned by e-mail of the removal of its accounts"),
    "document.withdrawn": _("Document “%(target)s” withdrawn from dossier %(dossier)s"),
    # %(result)s: what the public verify page answered (R-SIG-2); never the file.
    "document.verified": _("Document checked on the verify page (code %(target)s): %(result)s"),
    "questionnaire.cancelled": _("Questionnaire “%(target)s” cancelled in dossier %(dossier)s"),
    "upload_request.cancelled": _("Upload request “%(target)s” cancelled in dossier %(dossier)s"),
    "approval.sent": _("Approval of “%(target)s” asked in dossier %(dossier)s"),
    "approval.approved": _("“%(target)s” approved in dossier %(dossier)s"),
    "approval.rejected": _("“%(target)s” not approved in dossier %(dossier)s"),
    "approval.cancelled": _("Approval request for “%(target)s” cancelled in dossier %(dossier)s"),
    "approval.reminded": _("Reminder of the approval of “%(target)s” sent in dossier %(dossier)s"),
    "signing.requested": _("Signatures asked for “%(target)s” in dossier %(dossier)s"),
    "signing.signed": _("“%(target)s” signed in dossier %(dossier)s"),
    "signing.completed": _("“%(target)s” signed by every signer in dossier %(dossier)s"),
    "signing.declined": _("Signing of “%(target)s” declined in dossier %(dossier)s"),
    "signing.withdrawn": _("Signing request for “%(target)s” withdrawn in dossier %(dossier)s"),
    "account.added": _("Account %(target)s added"),
    "account.invited": _("Invitation sent to %(target)s"),
    "account.password_link_sent": _("Link to set the password sent to %(target)s"),
    "account.password_link_unknown_address": _(
        "Link to set the password asked for an address without an account"
    ),
    "account.password_set": _("Password set for %(target)s"),
    "account.removed": _("Account %(target)s removed"),
    "account.changed": _("Details of account %(target)s changed"),
    "account.role_changed": _("Role of %(target)s changed"),
    "account.blocked": _("Account %(target)s blocked"),
    "account.unblocked": _("Account %(target)s unblocked"),
    "export.requested": _("Download of the data of %(target)s requested"),
    "export.downloaded": _("Data of %(target)s downloaded"),
    "login.succeeded": _("Logged in"),
    "login.failed": _("Failed login for %(target)s"),
    "login.second_factor": _("Login confirmed with %(method)s"),
    "login.link_required": _("Login for %(target)s asked for a login link (many failed logins)"),
    "login.link_sent": _("Login link sent to %(target)s"),
    "login.link_used": _("Login link of %(target)s used"),
    "logout": _("Logged out"),
    "session.expired": _("Session ended: %(reason)s"),
    "2fa.enabled": _("Two-step verification turned on for %(target)s (%(method)s)"),
    "2fa.disabled": _("Two-step verification turned off for %(target)s"),
    "2fa.recovery_codes_regenerated": _("New recovery codes made for %(target)s"),
    "2fa.passkey_added": _("Passkey added for %(target)s"),
    "2fa.passkey_removed": _("Passkey removed for %(target)s"),
    "login.passkey": _("%(target)s logged in with a passkey, without a password"),
    "api.get": _("API: %(target)s read (answer %(status)s)"),
    "api.head": _("API: %(target)s read (answer %(status)s)"),
    "api.options": _("API: %(target)s read (answer %(status)s)"),
    "api.post": _("API: sent to %(target)s (answer %(status)s)"),
    "api.put": _("API: %(target)s changed (answer %(status)s)"),
    "api.patch": _("API: %(target)s changed (answer %(status)s)"),
    "api.delete": _("API: %(target)s deleted (answer %(status)s)"),
    "api.token_created": _("API token “%(target)s” created"),
    "api.token_revoked": _("API token “%(target)s” revoked"),
    "api.webhook_created": _("Webhook %(target)s added"),
    "api.webhook_changed": _("Webhook %(target)s changed"),
    "api.webhook_secret_rotated": _("Signing secret of webhook %(target)s rotated"),
    "office.changed": _("Details of the office %(target)s changed"),
    "office.created": _("Office %(target)s added by the hosting party"),
    "office.suspended": _("Office %(target)s suspended by the hosting party"),
    "office.resumed": _("Office %(target)s resumed by the hosting party"),
    "office.exported": _("Data of the office %(target)s exported by the hosting party"),
    "status.created": _("Dossier status “%(target)s” added"),
    "status.changed": _("Dossier status “%(target)s” changed"),
    "status.deleted": _("Dossier status “%(target)s” removed"),
    "retention.rules_changed": _("Retention periods of %(target)s changed: %(fields)s"),
    "retention.removed": _(
        "Portal copies in dossier %(target)s removed after their retention period"
    ),
    "questionnaire_template.created": _("Questionnaire template “%(target)s” added"),
    "questionnaire_template.changed": _("Questionnaire template “%(target)s” changed"),
    "questionnaire_template.deleted": _("Questionnaire template “%(target)s” removed"),
}
# A refusal (``request.denied``, ``rate_limited``): what was refused, and in which dossier.
REFUSALS = {
    "denied": (
        _("Access denied: %(what)s in dossier %(dossier)s"),
        _("Access denied: %(what)s"),
    ),
    "too_many": (
        _("Too many attempts: %(what)s in dossier %(dossier)s"),
        _("Too many attempts: %(what)s"),
    ),
}
# A progress list saved with the list before and after ([title, done] per step): the sentence
# says how far the dossier is now and was; entries without the lists read as SENTENCES says.
PROGRESS = {
    "dossier.progress_set": _(
        "Progress list of dossier %(target)s saved: %(done)s of %(total)s steps done"
        " (before: %(done_before)s of %(total_before)s)"
    ),
    "dossier.progress_changed": _(
        "Progress list of dossier %(target)s changed in the admin: %(done)s of %(total)s steps"
        " done (before: %(done_before)s of %(total_before)s)"
    ),
}
UNKNOWN = _("Event recorded: %(target)s")
UNKNOWN_WITHOUT_TARGET = _("Event recorded")

METHODS = {
    "sms": _("a code by SMS"),
    "totp": _("the authenticator app"),
    "recovery": _("a recovery code"),
    "passkey": _("a passkey"),
}
REASONS = {"idle": _("inactive for too long"), "absolute": _("maximum session length reached")}

# What a refused route is, as a noun phrase ("Access denied: <noun>").
ROUTES = {
    "home": _("the home page"),
    "office_logo": _("the office logo"),
    "accessibility_statement": _("the accessibility statement"),
    "document_verify": _("the verify page"),
    "health_live": _("the health check"),
    "health_ready": _("the health check"),
    "dev_outbox": _("the development outbox"),
    "dev_outbox_message": _("an e-mail in the development outbox"),
    "accounts:login": _("the login page"),
    "accounts:logout": _("logging out"),
    "accounts:language": _("the language choice"),
    "accounts:keep_alive": _("staying logged in"),
    "accounts:invitation": _("an invitation link"),
    "accounts:invitation_form": _("an invitation"),
    "accounts:forgot_password": _("a request for a password link"),
    "accounts:set_password": _("a link to set the password"),
    "accounts:set_password_form": _("setting the password"),
    "accounts:login_link": _("a login link"),
    "accounts:login_link_form": _("logging in with a login link"),
    "accounts:profile": _("My details"),
    "accounts:notifications": _("the notification settings"),
    "accounts:extra_accounts": _("the extra accounts"),
    "accounts:extra_account": _("an extra account"),
    "accounts:extra_account_add": _("adding an extra account"),
    "accounts:extra_account_delete": _("removing an extra account"),
    "exports:request": _("asking for a download of one's data"),
    "exports:download": _("downloading one's data"),
    "twofactor:login_code": _("the login code"),
    "twofactor:login_resend": _("sending the login code again"),
    "twofactor:sms_setup": _("setting up verification by SMS"),
    "twofactor:sms_confirm": _("confirming verification by SMS"),
    "twofactor:sms_resend": _("sending the SMS code again"),
    "twofactor:totp_start": _("setting up the authenticator app"),
    "twofactor:totp_confirm": _("confirming the authenticator app"),
    "twofactor:recovery_codes": _("the recovery codes"),
    "twofactor:disable": _("turning two-step verification off"),
    "twofactor:login_passkey": _("the login step with a passkey"),
    "twofactor:passkey_add": _("adding a passkey"),
    "twofactor:passkey_create": _("making a passkey"),
    "twofactor:passkey_remove": _("removing a passkey"),
    "accounts:passkey_login": _("logging in with a passkey"),
    "accounts:passkey_login_options": _("starting a login with a passkey"),
    "dossiers:list": _("the dossier list"),
    "dossiers:detail": _("the dossier page"),
    "dossiers:tab": _("a tab of the dossier page"),
    "documents:download": _("downloading a document"),
    "documents:preview": _("viewing a document"),
    "documents:preview_page": _("a page of a viewed document"),
    "messaging:new": _("a new message"),
    "messaging:detail": _("a message"),
    "messaging:reply": _("reply to a message"),
    "messaging:upload_attachment": _("uploading an attachment"),
    "messaging:remove_attachment": _("removing an attachment"),
    "questionnaires:list": _("the actions"),
    "questionnaires:resume": _("a questionnaire"),
    "questionnaires:page": _("a page of a questionnaire"),
    "questionnaires:overview": _("the check of a questionnaire"),
    "questionnaires:result": _("the result of a questionnaire"),
    "questionnaires:upload": _("an upload request"),
    "questionnaires:approval": _("an approval request"),
    "questionnaires:signing": _("a signing request"),
    "workspace:setup_2fa": _("the workspace's two-step verification"),
    "workspace:inbox": _("the workspace inbox"),
    "workspace:search": _("the workspace search"),
    "workspace:dossiers": _("the workspace dossier list"),
    "workspace:dossier_new": _("a new dossier in the workspace"),
    "workspace:dossier": _("the dossier page in the workspace"),
    "workspace:dossier_edit": _("changing the dossier"),
    "workspace:grant": _("granting access"),
    "workspace:revoke": _("revoking access"),
    "workspace:place_hold": _("placing a legal hold"),
    "workspace:lift_hold": _("lifting a legal hold"),
    "workspace:progress": _("the progress list"),
    "workspace:publish": _("publishing files"),
    "workspace:download": _("downloading a document in the workspace"),
    "workspace:preview": _("viewing a document in the workspace"),
    "workspace:preview_page": _("a page of a viewed document in the workspace"),
    "workspace:document_seen": _("marking a document as seen"),
    "workspace:audit": _("the dossier's audit trail"),
    "workspace:client_audit": _("the client's audit trail"),
    "workspace:message": _("a message in the workspace"),
    "workspace:message_new": _("a new message in the workspace"),
    "workspace:message_handled": _("marking a message as handled"),
    "workspace:send_questionnaire": _("sending a questionnaire"),
    "workspace:request_upload": _("sending an upload request"),
    "workspace:request_approval": _("sending an approval request"),
    "workspace:cancel_approval": _("cancelling an approval request"),
    "workspace:action": _("an action in the workspace"),
    "workspace:action_handled": _("marking an action as handled"),
    "workspace:clients": _("the workspace client list"),
    "workspace:client_new": _("a new client in the workspace"),
    "workspace:client": _("a client in the workspace"),
    "workspace:client_erase": _("erasing a client"),
    "workspace:invite": _("sending an invitation"),
    "workspace:account_add": _("adding an account"),
    "workspace:account_remove": _("removing an account"),
    "workspace:account_block": _("blocking an account"),
    "workspace:signing_new": _("asking for signatures"),
    "workspace:signing_request": _("a signing request in the workspace"),
    "workspace:signing_withdraw": _("withdrawing a signing request"),
}
NAMESPACES = {
    "admin": _("a page of the admin"),
    "api": _("the API"),
    "workspace": _("a page of the workspace"),
}
SOME_PAGE = _("a page of the portal")
# The verify page's answers (``document.verified``, R-SIG-2).
VERIFY_RESULTS = {
    "issued": _("issued by the office, unchanged"),
    "code_known": _("a code of the office's, without the file"),
    "not_issued": _("not issued by the office, or changed"),
}


def route_noun(route: str | None) -> str:
    """What a route is, for a reader: its own noun, else its part of the portal."""
    if not route:
        return str(SOME_PAGE)
    if route in ROUTES:
        return str(ROUTES[route])
    namespace = route.partition(":")[0] if ":" in route else ""
    return str(NAMESPACES.get(namespace, SOME_PAGE))


def _named(names: Mapping[str, Promise], code: object) -> str:
    """A recorded code by its translated name; an unknown code as recorded."""
    if isinstance(code, str) and code in names:
        return str(names[code])
    return str(code or "—")


def _field_name(name: str) -> str:
    """A changed dossier field by its (translated) name."""
    try:
        field = related_model("dossier")._meta.get_field(name)
    except FieldDoesNotExist:
        return name.replace("_", " ")
    return str(field.verbose_name) if isinstance(field, Field) else name.replace("_", " ")


def _fields(data: dict) -> str:
    names = data.get("changes") or data.get("fields") or []
    return ", ".join(_field_name(name) for name in names) or "—"


def _refusal(entry, number: str | None) -> str:
    data = entry.data or {}
    if entry.action == DENIED:
        what = route_noun(data.get("route"))
        kind = "too_many" if data.get("status") == 429 else "denied"
    else:  # rate_limited: the portal's route, or an API path
        path = data.get("path") or ""
        what = str(NAMESPACES["api"]) if path.startswith("/api/") else route_noun(data.get("route"))
        kind = "too_many"
    with_dossier, without = REFUSALS[kind]
    if number:
        return with_dossier % {"what": what, "dossier": number}
    return without % {"what": what}


def describe(entry) -> str:
    """The entry as a sentence in the active language."""
    number = entry.dossier.number if entry.dossier_id and entry.dossier else None
    if entry.action in (DENIED, RATE_LIMITED):
        return _refusal(entry, number)
    data = entry.data or {}
    values = {
        "target": entry.target or "—",
        "dossier": number or "—",
        "fields": _fields(data),
        "method": _named(METHODS, data.get("method")),
        "reason": _named(REASONS, data.get("reason")),
        "status": data.get("status", "—"),
        "result": _named(VERIFY_RESULTS, data.get("result")),
    }
    before, after = data.get("before"), data.get("after")
    if entry.action in PROGRESS and isinstance(before, list) and isinstance(after, list):
        return PROGRESS[entry.action] % {
            "target": values["target"],
            "done": sum(1 for step in after if step[1]),
            "total": len(after),
            "done_before": sum(1 for step in before if step[1]),
            "total_before": len(before),
        }
    sentence = SENTENCES.get(entry.action)
    if sentence is None:
        return (UNKNOWN if entry.target else UNKNOWN_WITHOUT_TARGET) % values
    return sentence % values


def label(action: str) -> str:
    """A short name for an action code (the admin's filter): its sentence without the
    details."""
    sentence = SENTENCES.get(action)
    if action in (DENIED, RATE_LIMITED):
        return REFUSALS["denied" if action == DENIED else "too_many"][1] % {"what": "…"}
    if sentence is None:
        return str(UNKNOWN_WITHOUT_TARGET)
    placeholders = ("target", "dossier", "fields", "method", "reason", "status", "result")
    return sentence % dict.fromkeys(placeholders, "…")
