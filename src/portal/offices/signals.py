"""The cached office (``Office.cached``) is dropped whenever the office row changes."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Office


@receiver(post_save, sender=Office, dispatch_uid="office_cache_save")
@receiver(post_delete, sender=Office, dispatch_uid="office_cache_delete")
def forget_cached_office(sender, **kwargs) -> None:
    # Now, so this process's next read sees the change; and after the commit, because a request
    # elsewhere may have cached the old row again between the save and the commit.
    Office.forget_cached()
    transaction.on_commit(Office.forget_cached)
