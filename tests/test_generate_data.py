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


@pytest.mark.django_db
@override_settings(DEBUG=True, ALLOWED_HOSTS=["testserver", "127.0.0.1", ".bench.test"])
def test_generate_data_spreads_over_offices_each_with_its_own_accounts_R_TEN_1_R_TEN_3(client):
    """R-TEN-1, R-TEN-3, issue 18 (benchmark): ``--offices 3`` gives three offices the plan of
    scale/3 each, with the same e-mail addresses as separate accounts; office 1 is served at
    127.0.0.1 (where the benchmarks send their requests), office n at office-n.bench.test."""
    from portal.core import tenancy
    from portal.offices.models import Office
    from portal_dev.management.commands.generate_data import office_host

    first = Office.current()
    call_command("generate_data", scale=SCALE, offices=3)
    plan = Plan.for_scale(SCALE / 3)
    assert Office.for_host("127.0.0.1").pk == first.pk
    offices = [Office.for_host(office_host(n)) for n in (1, 2, 3)]
    assert offices[0].pk == first.pk and len({o.pk for o in offices}) == 3
    for office in offices:
        with tenancy.office_scope(office):
            assert Client.objects.count() == plan.clients
            assert Dossier.objects.count() == plan.dossiers
            assert Document.objects.count() == plan.documents
            assert User.objects.get(email=STAFF_EMAIL).is_staff
            heavy = User.objects.get(email=heavy_email(0))
            assert Dossier.objects.visible_to(heavy).count() == plan.heavy_dossiers_each
    with tenancy.cross_office():
        assert User.objects.filter(email=STAFF_EMAIL).count() == 3

    # The heavy client of office 2 logs in at office 2's address and sees office 2's dossiers.
    response = client.post(
        "/inloggen/",
        {"username": heavy_email(0), "password": "Bench-portaal1"},
        HTTP_HOST=office_host(2),
    )
    assert response.status_code == 302
    page = client.get("/dossiers/", HTTP_HOST=office_host(2))
    with tenancy.office_scope(offices[1]):
        newest = Dossier.objects.visible_to(User.objects.get(email=heavy_email(0)))
        assert newest.order_by("-created_at", "-pk").first().number in page.content.decode()

    with pytest.raises(CommandError, match="already holds"):
        call_command("generate_data", scale=SCALE)
