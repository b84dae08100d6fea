"""The ZIP of a client's data (R-RET-2), written as a stream: each stored file is copied into the
archive in chunks, the archive goes to a file (never to memory), so an export of thousands of
documents takes the memory of one chunk.

What goes in, for every dossier ``Dossier.objects.visible_to`` returns for the account (a
company's extra accounts get the company's dossiers), each in a folder of its own:

- ``Correspondentie/``, ``Documenten/``, ``Door mij aangeleverd/`` (the tabs): every document
  the tabs show that belongs to no message and no action of the client below, under its
  original file name;
- ``Berichten/<date> <subject>/``: every message of the dossier as ``bericht.txt`` (subject,
  date, author as the pages show it, the text) with its attachments beside it;
- ``Acties/<title>/``: every action sent to the client (``Action.objects.visible_to``: what the
  office cancelled is not there, the client no longer sees it): a questionnaire's answers as
  JSON and its result PDF, an upload request's description and the files supplied for it;

and at the top the account's own data (``account.json``) and a ``README.txt`` in the account's
language. Each file appears once. What the client no longer sees is not in it either: a
document the office withdrew (its row is gone), another client's actions in a shared dossier,
dossiers whose access was revoked.

Names inside the archive come from users (file names, subjects, titles), so every part is made
safe (``portal.files.uploads.sanitise_filename``: no path, no control characters, no reserved
Windows names, at most ``NAME_LENGTH`` characters) and unique in its folder ("akte (2).pdf")."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.documents.models import Document
from portal.dossiers.models import Dossier
from portal.files.uploads import sanitise_filename
from portal.messaging.models import Message
from portal.notifications import services as notifications
from portal.offices.models import Office
from portal.questionnaires.models import Action
from portal.questionnaires.presentation import answer_rows
from portal.twofactor.models import SmsDevice

NAME_LENGTH = 100
FOLDER_LENGTH = 80
CHUNK = 1024 * 1024
# The login events kept in the audit trail that belong in the account's own data.
LOGIN_ACTIONS = ("login.succeeded", "login.passkey", "login.second_factor", "logout")


def safe_part(text: str, *, max_length: int = NAME_LENGTH) -> str:
    """One component of a path in the archive. A stored file name is kept as the upload check
    left it (its last component); in a subject or title a slash is not a folder."""
    return sanitise_filename(text or "", max_length=max_length)


def safe_title(text: str, *, max_length: int = FOLDER_LENGTH) -> str:
    """A folder named after a subject or title: a slash in it is not a folder."""
    return safe_part((text or "").replace("/", "_").replace("\\", "_"), max_length=max_length)


class ArchiveWriter:
    """A ZIP written to ``target`` (a file opened for writing), with unique safe names."""

    def __init__(self, target: IO[bytes]):
        self.zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self._taken: dict[str, set[str]] = {}

    def unique(self, folder: str, name: str) -> str:
        """``folder/name`` with ``name`` made unique in ``folder`` (case-insensitively, as on
        Windows and macOS): "akte.pdf", "akte (2).pdf", …"""
        taken = self._taken.setdefault(folder, set())
        stem, dot, ext = name.rpartition(".")
        if not (dot and stem):
            stem, dot, ext = name, "", ""
        candidate, number = name, 1
        while candidate.casefold() in taken:
            number += 1
            candidate = f"{stem} ({number}){dot}{ext}"
        taken.add(candidate.casefold())
        return f"{folder}/{candidate}" if folder else candidate

    def folder(self, parent: str, title: str) -> str:
        """A new sub-folder of ``parent`` named after ``title``."""
        return self.unique(parent, safe_title(title))

    def add_text(self, path: str, text: str) -> None:
        self.zip.writestr(self._info(path), text.encode("utf-8"))

    def add_json(self, path: str, data: Any) -> None:
        self.add_text(path, json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")

    def add_stream(self, path: str, source: IO[bytes], *, compress: bool = True) -> None:
        info = self._info(path)
        if not compress:
            info.compress_type = zipfile.ZIP_STORED
        with self.zip.open(info, "w", force_zip64=True) as out:
            shutil.copyfileobj(source, out, CHUNK)

    def close(self) -> None:
        self.zip.close()

    @staticmethod
    def _info(path: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(path, date_time=timezone.localtime().timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        return info


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def write_archive(target: IO[bytes], user: User) -> dict[str, int]:
    """Write the whole export of ``user`` to ``target``; returns how many items of each sort
    went in (for the log and the tests). Runs in the account's language."""
    writer = ArchiveWriter(target)
    counts = {"dossiers": 0, "documents": 0, "messages": 0, "actions": 0}
    try:
        writer.add_text(writer.unique("", "README.txt"), readme(user))
        writer.add_json(writer.unique("", "account.json"), account_data(user))
        dossiers = Dossier.objects.visible_to(user).order_by("number", "pk")
        for dossier in dossiers.iterator():
            root = writer.folder("", f"{dossier.number} {dossier.description}")
            _write_dossier(writer, root, dossier, user, counts)
            counts["dossiers"] += 1
    finally:
        writer.close()
    return counts


def _write_dossier(
    writer: ArchiveWriter, root: str, dossier: Dossier, user: User, counts: dict[str, int]
) -> None:
    office_name = Office.cached().name
    folders: dict[int, str] = {}  # a document's pk → the folder of its message or action

    messages_root = f"{root}/{safe_part(_('Messages'))}"
    messages: QuerySet[Message] = dossier.messages.select_related("author").order_by(
        "created_at", "pk"
    )
    message_folders: dict[int, str] = {}
    for message in messages.iterator(chunk_size=500):
        folder = writer.folder(messages_root, f"{_when(message.created_at)} {message.subject}")
        message_folders[message.pk] = folder
        writer.add_text(
            writer.unique(folder, _("message.txt")), _message_text(message, office_name)
        )
        counts["messages"] += 1

    actions_root = f"{root}/{safe_part(_('Actions'))}"
    actions = Action.objects.visible_to(user).filter(dossier=dossier).order_by("created_at", "pk")
    for action in actions.iterator():
        folder = writer.folder(actions_root, f"{_when(action.created_at)} {action.title}")
        name = _("answers.json") if action.kind == Action.Kind.QUESTIONNAIRE else _("request.json")
        writer.add_json(writer.unique(folder, name), _action_data(action))
        if action.pdf_document_id:
            folders[action.pdf_document_id] = folder
        for document_pk in action.supplied_documents.values_list("pk", flat=True):
            folders[document_pk] = folder
        counts["actions"] += 1

    tab_folders: dict[str, str] = {
        kind: f"{root}/{safe_part(str(label))}" for kind, label in TAB_LABELS.items()
    }
    for document in _documents(dossier):
        if document.pk in folders:
            folder = folders[document.pk]
        elif document.message_id in message_folders:
            folder = message_folders[document.message_id]
        else:
            folder = tab_folders[document.kind]
        path = writer.unique(folder, safe_part(document.original_name))
        try:
            handle = document.file.open("rb")
        except FileNotFoundError:
            # A file missing from storage is named, not silently left out.
            writer.add_text(path + ".txt", _("This file could not be found in the portal."))
            continue
        with handle:
            writer.add_stream(path, handle, compress=_compresses(document.content_type))
        counts["documents"] += 1


def _compresses(content_type: str) -> bool:
    """PDFs, images and office files are compressed already: deflating them again costs time
    and saves nothing, so they are stored as they are."""
    return content_type.startswith("text/")


def _documents(dossier: Dossier) -> Iterator[Document]:
    rows = dossier.documents.only(
        "pk", "dossier", "kind", "original_name", "file", "message_id", "content_type"
    ).order_by("created_at", "pk")
    return rows.iterator(chunk_size=500)


# The tabs of the dossier page, as the client knows them.
TAB_LABELS = {
    Document.Kind.CORRESPONDENCE: gettext_lazy("Correspondence"),
    Document.Kind.DOCUMENT: gettext_lazy("Documents"),
    Document.Kind.SUPPLIED: gettext_lazy("Supplied by me"),
}


def _message_text(message: Message, office_name: str) -> str:
    author = message.author.get_full_name() if message.author else ""
    if message.is_incoming:
        sender = f"{office_name} ({author})" if author else office_name
    else:
        sender = author or _("you")
    lines = [
        f"{_('Subject')}: {message.subject}",
        f"{_('Date')}: {_when(message.created_at)}",
        f"{_('From')}: {sender}",
        "",
        message.body,
        "",
    ]
    return "\n".join(lines)


def _action_data(action: Action) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": action.title,
        "type": str(action.get_kind_display()),
        "status": str(action.get_status_display()),
        "description": action.description,
        "sent_at": action.created_at,
        "completed_at": action.completed_at,
    }
    if action.kind == Action.Kind.QUESTIONNAIRE:
        data["pages"] = [
            {
                "title": page["title"],
                "answers": [
                    {"question": row["question"], "answer": row["answer"]} for row in page["rows"]
                ],
            }
            for page in answer_rows(action)
        ]
        data["answers_as_stored"] = action.answers
    return data


def account_data(user: User) -> dict[str, Any]:
    """The account's own data: what the portal keeps about the person who asked."""
    prefs = notifications.preferences(user)
    client = user.client
    sms = SmsDevice.objects.filter(user=user, confirmed=True).values_list("number", flat=True)
    logins = (
        AuditEntry.objects.filter(actor=user, action__in=LOGIN_ACTIONS)
        .order_by("at", "pk")
        .values_list("at", "action", "ip_address")
    )
    return {
        "name": user.get_full_name(),
        "email": user.email,
        "phone_numbers_for_login_codes": list(sms),
        "language": user.language,
        "account_created": user.date_joined,
        "last_login": user.last_login,
        "client": (
            {"name": client.name, "kind": client.kind, "main_account": user.is_main_account}
            if client
            else None
        ),
        "notifications": {
            "documents": prefs.documents,
            "questionnaires": prefs.questionnaires,
            "messages": prefs.messages,
        },
        "login_history": [
            {"at": at, "event": action, "address": address}
            for at, action, address in logins.iterator()
        ],
        "exported_at": timezone.now(),
    }


def readme(user: User) -> str:
    office = Office.cached()
    return (
        "\n\n".join(
            [
                _("Your data from the client portal of %(office)s") % {"office": office.name},
                _("Made on %(when)s for %(email)s.")
                % {"when": _when(timezone.now()), "email": user.email},
                _(
                    "There is one folder per dossier you can see in the portal. In it, a folder "
                    "per tab holds its documents under their original file names, "
                    "“Messages” holds every message as a text file with its attachments, and "
                    "“Actions” holds the questionnaires (your answers as JSON and the result PDF) "
                    "and the upload requests with the files you supplied."
                ),
                _(
                    "The file account.json holds the details of your account: name, e-mail "
                    "address, language, notification settings and when you logged in."
                ),
                _(
                    "Where two files have the same name, a number is added: “deed (2).pdf”. "
                    "Characters that cannot be used in file names have been replaced."
                ),
                _("Questions? Contact %(office)s.") % {"office": office.name},
            ]
        )
        + "\n"
    )
