"""The cached host lookups (``Office.for_host``) are dropped whenever an office or a host name
changes."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Office, OfficeHost


@receiver(post_save, sender=Office, dispatch_uid="office_cache_save")
@receiver(post_delete, sender=Office, dispatch_uid="office_cache_delete")
@receiver(post_save, sender=OfficeHost, dispatch_uid="office_host_cache_save")
@receiver(post_delete, sender=OfficeHost, dispatch_uid="office_host_cache_delete")
def forget_cached_office(sender, instance, **kwargs) -> None:
    # Now, so this process's next read sees the change; and after the commit, because a request
    # elsewhere may have cached the old row again between the save and the commit. A deleted
    # host name is no longer among the office's: its own key goes too.
    extra = [instance.name] if isinstance(instance, OfficeHost) else []
    Office.forget_cached(extra)
    transaction.on_commit(lambda: Office.forget_cached(extra))
