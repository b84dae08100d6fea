"""The hosting party's work on whole offices (R-TEN-4), behind ``manage.py office``: find an
office by id or host name, the usage of every office, and an export of one office.

Hosting paths: they see every office only where they must (``tenancy.cross_office``: the list,
the usage counts) and do one office's work in that office's scope (``tenancy.office_scope``:
the export reads through the same office managers as a request of that office)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Count, Sum
from django.utils import timezone

from portal.accounts.models import Client, User
from portal.audit.services import record
from portal.core import tenancy
from portal.documents.models import Document, StagedUpload
from portal.dossiers.models import Dossier
from portal.offices.models import Office, OfficeHost

EXPORT_FORMAT = "klantportaal-office-export/1"
ROWS = "rows.json"
FILES = "files"
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class OfficeNotFound(LookupError):
    pass


def find_office(ref: str) -> Office:
    """The office with id ``ref`` or served on host name ``ref``."""
    with tenancy.cross_office():
        if ref.isdigit():
            office = Office.objects.filter(pk=int(ref)).first()
        else:
            host = OfficeHost.objects.select_related("office").filter(name=ref.lower()).first()
            office = host.office if host is not None else None
    if office is None:
        raise OfficeNotFound(f"No office with id or host name {ref!r}.")
    return office


@dataclass
class Usage:
    clients: int = 0
    dossiers: int = 0
    stored_bytes: int = 0


def usage() -> dict[int, Usage]:
    """Clients, dossiers and stored bytes (the files of its documents and of uploads not yet
    sent) of every office, by office id: one grouped query per figure, whatever the number of
    offices."""
    found: dict[int, Usage] = {}

    def counted(model: type[models.Model], figure: str, total: Any) -> None:
        rows = model._default_manager.order_by().values("office_id").annotate(value=total)
        for row in rows:
            entry = found.setdefault(row["office_id"], Usage())
            setattr(entry, figure, getattr(entry, figure) + (row["value"] or 0))

    with tenancy.cross_office():
        counted(Client, "clients", Count("pk"))
        counted(Dossier, "dossiers", Count("pk"))
        counted(Document, "stored_bytes", Sum("size"))
        counted(StagedUpload, "stored_bytes", Sum("size"))
    return found


def offices() -> list[tuple[Office, list[str], Usage]]:
    """Every office with its host names (primary first) and its usage."""
    figures = usage()
    with tenancy.cross_office():
        rows = list(Office.objects.order_by("pk").prefetch_related("hosts"))
    return [
        (office, [host.name for host in office.hosts.all()], figures.get(office.pk, Usage()))
        for office in rows
    ]


def office_models() -> list[type[models.Model]]:
    """The models of office data: every model with an ``office`` column (the office managers'
    models, and the API tokens and webhook endpoints, which name their office themselves)."""
    return [
        model
        for model in apps.get_models()
        if model is not OfficeHost
        and any(
            f.name == "office" and f.related_model is Office for f in model._meta.concrete_fields
        )
    ]


def user_models() -> list[type[models.Model]]:
    """The third-party tables that hang off an account without an office column of their own
    (authenticator apps, passkeys): exported with the office's accounts."""
    return [
        model
        for model in apps.get_models()
        if not any(f.name == "office" for f in model._meta.concrete_fields)
        and any(
            isinstance(f, models.ForeignKey) and f.name == "user" and f.related_model is User
            for f in model._meta.concrete_fields
        )
    ]


@dataclass
class ExportResult:
    rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    missing_files: list[str] = field(default_factory=list)


def export_office(office: Office, directory: Path) -> ExportResult:
    """Write ``office``'s data to ``directory`` (new or empty):

    - ``rows.json``: Django's JSON serialisation (as ``dumpdata``) of the office row, its host
      names, every office model's rows read in the office's scope (accounts with their password
      hashes, clients, dossiers, documents, messages, questionnaires, notifications, API tokens
      (hashes) and webhooks, the audit trail, ...) and the authenticator-app devices and
      passkeys of its accounts. Not included: sessions and lockout counts (short-lived), and
      nothing of any other office.
    - ``files/<storage name>``: every file those rows point to (documents, staged uploads, the
      logo), read through the storage (local folder or bucket alike).
    - ``manifest.json``, written last: the format, the office, when, the migration state of the
      code, the number of rows per model and the SHA-256 and size of every file.

    It holds personal data and secrets' hashes: keep it as safe as a backup."""
    directory.mkdir(parents=True, exist_ok=True)
    if any(directory.iterdir()):
        raise FileExistsError(f"{directory} is not empty.")
    result = ExportResult()
    files: dict[str, dict[str, Any]] = {}
    python = serializers.get_serializer("python")
    with tenancy.office_scope(office), (directory / ROWS).open("w", encoding="utf-8") as out:
        out.write("[\n")
        first = True
        users = User._base_manager.filter(office=office).values("pk")
        sources: list[tuple[type[models.Model], models.QuerySet[Any]]] = [
            (Office, Office.objects.filter(pk=office.pk)),
            (OfficeHost, OfficeHost.objects.filter(office=office)),
            # The office's rows by their column; read in its scope, so PostgreSQL's row-level
            # security agrees.
            *((model, model._base_manager.filter(office=office)) for model in office_models()),
            *((model, model._base_manager.filter(user__in=users)) for model in user_models()),
        ]
        for model, queryset in sources:
            label = model._meta.label_lower
            file_fields = [
                f for f in model._meta.concrete_fields if isinstance(f, models.FileField)
            ]
            count = 0
            for obj in queryset.order_by("pk").iterator(chunk_size=2000):
                (row,) = python().serialize([obj])
                out.write(("" if first else ",\n") + json.dumps(row, cls=DjangoJSONEncoder))
                first = False
                count += 1
                for file_field in file_fields:
                    name = getattr(obj, file_field.attname).name
                    if name and name not in files:
                        copied = _copy_file(file_field, name, directory / FILES)
                        if copied is None:
                            result.missing_files.append(name)
                        else:
                            files[name] = copied
            result.rows[label] = count
        out.write("\n]\n")
        result.files = len(files)
        record("office.exported", target=office.name, actor_label="hosting", files=len(files))
    manifest = {
        "format": EXPORT_FORMAT,
        "office": {"id": office.pk, "name": office.name, "hosts": _hosts(office)},
        "created_at": timezone.now().isoformat(),
        "database_vendor": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        "rows": result.rows,
        "files": files,
        "missing_files": result.missing_files,
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return result


def _hosts(office: Office) -> list[str]:
    return list(
        OfficeHost.objects.filter(office=office)
        .order_by("-primary", "name")
        .values_list("name", flat=True)
    )


def _copy_file(file_field: models.FileField, name: str, folder: Path) -> dict[str, Any] | None:
    """Copy one stored file to ``folder/name``; its size and SHA-256, or None when missing."""
    storage = file_field.storage
    if not storage.exists(name):
        return None
    target = folder / name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as source, target.open("wb") as copy:
        for chunk in iter(lambda: source.read(CHUNK), b""):
            digest.update(chunk)
            size += len(chunk)
            copy.write(chunk)
    return {"size": size, "sha256": digest.hexdigest()}
