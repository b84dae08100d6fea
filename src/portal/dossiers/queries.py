"""Reads of the client side that need care: bounded query counts whatever the data size."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q

from portal.accounts.models import User
from portal.offices.models import DossierStatus

from .models import Dossier


def home_counts(user: User | AnonymousUser) -> dict[str, int]:
    """R-HOME-2: dossiers "in behandeling" and the total, in one query."""
    return Dossier.objects.visible_to(user).aggregate(
        total=Count("pk"), in_progress=Count("pk", filter=Q(status__in_progress=True))
    )


def statuses_in_use(user: User | AnonymousUser) -> list[DossierStatus]:
    """The statuses that occur among the user's dossiers (R-DOS-3), each with its number of
    those dossiers as ``dossier_count``, in one query."""
    visible = Dossier.objects.visible_to(user)
    # Filtered before annotated: the count covers only the user's dossiers of each status.
    return list(
        DossierStatus.objects.filter(dossiers__in=visible).annotate(dossier_count=Count("dossiers"))
    )
