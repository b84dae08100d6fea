"""An export's ZIP goes with its row, however the row goes: pruned, or with its account (the
erasure of a client deletes the account, and the exports cascade). The file is removed after
the commit, so a rolled-back deletion keeps it."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .models import DataExport


def remove_file(sender: type[DataExport], instance: DataExport, **kwargs: Any) -> None:
    name = instance.file.name if instance.file else ""
    if name:
        storage = instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))
