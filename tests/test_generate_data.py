"""``manage.py generate_data`` (issue 9) at a tiny scale: the counts of its plan, dates spread
over the years, and the heavy client sees its dossiers through THE access check."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from portal.accounts.models import Client, User
from portal.documents.models import Document, DocumentRead
from portal.dossiers.models import Dossier, DossierAccess, ProgressStep
from portal.messaging.models import Message, MessageRead
from portal.questionnaires.models import Action
from portal_dev.management.commands.generate_data import STAFF_EMAIL, Plan, heavy_email

SCALE = 0.005


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_generate_data_builds_its_plan_and_the_heavy_client_sees_its_dossiers_issue_9(
    capsys, client
):
    call_command("generate_data", scale=SCALE)
    plan = Plan.for_scale(SCALE)

    assert Client.objects.count() == plan.clients
    assert User.objects.filter(client__isnull=False).count() == plan.clients
    assert User.objects.get(email=STAFF_EMAIL).is_staff
    assert Dossier.objects.count() == plan.dossiers
    assert Document.objects.count() == plan.documents
    assert Message.objects.count() == plan.messages
    assert DossierAccess.objects.count() >= plan.dossiers
    assert ProgressStep.objects.exists()
    assert DocumentRead.objects.exists() and MessageRead.objects.exists()
    assert Action.objects.filter(kind=Action.Kind.QUESTIONNAIRE).count() == 1
    # The dates are spread over the years, not all "now" (auto_now_add is bypassed).
    years = {d.year for d in Dossier.objects.values_list("created_at", flat=True)}
    assert len(years) > 5

    heavy = User.objects.get(email=heavy_email(0))
    visible = Dossier.objects.visible_to(heavy)
    assert visible.count() == plan.heavy_dossiers_each
    newest = visible.order_by("-created_at", "-pk").first()
    assert newest.documents.count() == plan.heavy_documents
    assert newest.messages.count() == plan.heavy_messages
    assert heavy.check_password("Bench-portaal1")
    assert heavy_email(0) in capsys.readouterr().out

    # Every page the benchmark drives stays within the issue's bound of 10 queries at this
    # size too (200 dossiers, 1,000 documents and 1,000 messages in one dossier).
    client.force_login(heavy)
    questionnaire = Action.objects.get(kind=Action.Kind.QUESTIONNAIRE)
    pages = [
        "/",
        "/dossiers/",
        "/dossiers/?q=straat",
        f"/dossiers/{newest.pk}/",
        f"/dossiers/{newest.pk}/documenten/",
        f"/dossiers/{newest.pk}/aangeleverd/",
        f"/dossiers/{newest.pk}/berichten/",
        "/acties/",
        f"/acties/{questionnaire.pk}/invullen/1/",
    ]
    counts = {}
    for url in pages:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(captured.captured_queries)
    assert max(counts.values()) <= 10, counts

    with pytest.raises(CommandError, match="already holds"):
        call_command("generate_data", scale=SCALE)


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_generate_data_refuses_without_debug_unless_forced_issue_9():
    with pytest.raises(CommandError, match="--force"):
        call_command("generate_data", scale=SCALE)
    assert not Dossier.objects.exists()
