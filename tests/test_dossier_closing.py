"""A dossier closes when it gets a final status, and a legal hold is placed and lifted
(R-RET-1)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine

from portal.audit.models import AuditEntry
from portal.dossiers import services
from portal.dossiers.models import LegalHold
from tests.factories import DossierFactory, StaffFactory, StatusFactory

pytestmark = pytest.mark.django_db


def test_final_status_closes_and_an_open_one_reopens():
    """R-RET-1: the moment of closing is recorded when the dossier gets a final status, kept
    through a second final status, and cleared when it is opened again."""
    dossier = DossierFactory()
    done = StatusFactory(name="Afgerond", closes_dossier=True)
    archived = StatusFactory(name="Gearchiveerd", closes_dossier=True)
    busy = StatusFactory(name="Weer open", in_progress=True)
    assert dossier.closed_at is None

    with time_machine.travel("2026-03-01 10:00 +0000", tick=False):
        services.update_dossier(dossier=dossier, status=done)
    dossier.refresh_from_db()
    assert dossier.closed_at == datetime(2026, 3, 1, 10, tzinfo=UTC)

    with time_machine.travel("2026-04-01 10:00 +0000", tick=False):
        services.update_dossier(dossier=dossier, status=archived)
    dossier.refresh_from_db()
    assert dossier.closed_at == datetime(2026, 3, 1, 10, tzinfo=UTC)

    services.update_dossier(dossier=dossier, status=busy)
    dossier.refresh_from_db()
    assert dossier.closed_at is None


def test_dossier_created_with_a_final_status_is_closed():
    """R-RET-1: a dossier made with a closing status (e.g. through the API) is closed at once."""
    dossier = services.create_dossier(
        number="2026-900", description="Oud", status=StatusFactory(closes_dossier=True)
    )
    assert dossier.closed_at is not None


def test_hold_placed_once_lifted_and_audited():
    """R-RET-1: a hold has a reason, who and when; a second hold while one is active is the same
    hold; lifting records who and when; both are in the audit trail."""
    dossier = DossierFactory()
    staff = StaffFactory()
    with pytest.raises(ValueError):
        services.place_hold(dossier=dossier, reason="   ", by=staff)
    hold = services.place_hold(dossier=dossier, reason="Geschil met de verkoper", by=staff)
    assert services.place_hold(dossier=dossier, reason="Nog een", by=staff) == hold
    assert services.active_hold(dossier) == hold
    assert services.lift_hold(dossier=dossier, by=staff)
    assert services.active_hold(dossier) is None
    assert not services.lift_hold(dossier=dossier, by=staff)
    hold.refresh_from_db()
    assert (hold.placed_by, hold.lifted_by, hold.reason) == (
        staff,
        staff,
        "Geschil met de verkoper",
    )
    assert hold.lifted_at is not None
    assert LegalHold.objects.count() == 1
    actions = list(AuditEntry.objects.filter(dossier=dossier).values_list("action", flat=True))
    assert actions.count("dossier.hold_placed") == 1
    assert actions.count("dossier.hold_lifted") == 1
