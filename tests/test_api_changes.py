"""The changes feed (R-OFF-6, issue item 1: a sync that misses nothing): every write to what
the API shows is recorded by model signals in the write's own transaction, and
``GET /api/v1/changes/`` lists them in order from an opaque cursor, holding back what is
younger than the settle window and answering 410 Gone for a cursor older than what is kept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.documents import services as document_services
from portal.dossiers import services as dossier_services
from portal.integrations.models import Change
from portal.integrations.tasks import prune_changes
from portal.messaging import services as message_services
from portal.questionnaires import approvals
from portal.questionnaires import services as action_services
from portal.questionnaires.models import Action

from .api_helpers import Api, make_token
from .factories import DossierFactory, StaffFactory, UserFactory, grant

V1 = "/api/v1"
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"


@pytest.fixture
def staff(db):
    return StaffFactory(email="koppeling@office.test", full_name="Koppeling")


@pytest.fixture
def api(staff):
    return Api(make_token(staff)[1])


def _walk(api, cursor=None, **params):
    """Every change from ``cursor`` on, page by page; returns (changes, last cursor)."""
    seen = []
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        response = api.get(f"{V1}/changes/", query)
        assert response.status_code == 200, response.content
        body = response.json()
        seen += body["results"]
        cursor = body["cursor"]
        assert f"cursor={cursor}" in body["next"]
        if not body["more"]:
            return seen, cursor


def _triples(changes):
    return [(c["resource"], c["object_id"], c["action"]) for c in changes]


def test_grant_step_tick_withdrawal_and_revoke_are_in_the_feed_R_OFF_6_item_1(api, staff):
    """R-OFF-6 item 1: what an integrator did through the API -- a grant, a step ticked, a
    document published then withdrawn, the grant taken away -- comes back from the feed in
    that order, with the dossier; a cursor taken before sees only what came after it."""
    user = UserFactory()
    dossier = DossierFactory()
    _before, cursor = _walk(api)
    granted = api.post(f"{V1}/dossiers/{dossier.pk}/grants/", {"client": user.client_id})
    assert granted.status_code == 201
    steps = [{"title": "Intake", "done": False}, {"title": "Passeren", "done": False}]
    assert api.put(f"{V1}/dossiers/{dossier.pk}/steps/", {"steps": steps}).status_code == 200
    tick_from, _ = _walk(api, cursor)
    assert api.patch(f"{V1}/dossiers/{dossier.pk}/steps/1/", {"done": True}).status_code == 200
    upload = SimpleUploadedFile("akte.pdf", PDF, content_type="application/pdf")
    published = api.post(
        f"{V1}/documents/",
        {"dossier": dossier.pk, "kind": "document", "file": upload},
        multipart=True,
    ).json()
    assert api.post(f"{V1}/documents/{published['id']}/withdraw/").status_code == 204
    assert api.delete(f"{V1}/dossiers/{dossier.pk}/grants/{user.client_id}/").status_code == 204

    changes, _ = _walk(api, cursor)
    assert changes == sorted(changes, key=lambda c: c["id"])
    got = _triples(changes)
    first_step = dossier.steps.get(position=1).pk
    wanted = [
        ("access", user.client_id, "created"),
        ("step", first_step, "created"),
        ("step", first_step, "updated"),
        ("document", published["id"], "created"),
        ("document", published["id"], "deleted"),
        ("access", user.client_id, "deleted"),
    ]
    positions = [got.index(w) for w in wanted]
    assert positions == sorted(positions), got
    assert {c["dossier"] for c in changes if c["resource"] != "dossier"} == {dossier.pk}
    # Every grant and step write moved the dossier too (updated_since finds it).
    assert ("dossier", dossier.pk, "updated") in got
    # A cursor taken before the tick: the grant and the new steps, not yet the tick.
    assert ("access", user.client_id, "created") in _triples(tick_from)
    assert ("step", first_step, "updated") not in _triples(tick_from)


def test_message_handled_read_states_and_request_changes_are_in_the_feed_R_OFF_6_item_1(api, staff):
    """R-OFF-6 item 1: a client's message, its handling, a client's account reading the
    office's message (``read``; the office's own reading is not shown), a questionnaire's
    answers and its cancellation, and an upload request getting a file (a compare-and-set
    UPDATE and an m2m add, which send no post_save) all reach the feed."""
    user = UserFactory()
    dossier = DossierFactory()
    grant(dossier, user.client)
    question = message_services.send_message(
        dossier=dossier, sender=user, subject="Vraag", body="Klopt de datum?"
    )
    answer = message_services.send_message(
        dossier=dossier, sender=staff, subject="Antwoord", body="Ja."
    )
    _before, cursor = _walk(api)
    message_services.mark_handled(message=question, by=staff)
    message_services.mark_read(message=answer, user=user)
    message_services.mark_read(message=answer, user=user)  # once is enough
    message_services.mark_read(message=question, user=staff)
    asked = action_services.request_upload(dossier=dossier, client=user.client, title_nl="Kopie")
    upload = SimpleUploadedFile("kopie.pdf", PDF, content_type="application/pdf")
    action_services.supply_for_request(action=asked, file=upload, name="kopie.pdf", by=user)
    cancelled = action_services.request_upload(
        dossier=dossier, client=user.client, title_nl="Uittreksel"
    )
    assert action_services.cancel_action(action=cancelled, by=staff)

    got = _triples(_walk(api, cursor)[0])
    assert ("message", question.pk, "updated") in got
    assert got.count(("message", answer.pk, "read")) == 1
    assert ("message", question.pk, "read") not in got
    assert ("upload_request", asked.pk, "created") in got
    assert got.count(("upload_request", asked.pk, "updated")) >= 1
    assert ("upload_request", cancelled.pk, "updated") in got
    supplied = Action.objects.get(pk=asked.pk).supplied_documents.get()
    assert ("document", supplied.pk, "created") in got
    document_services.mark_read(document=supplied, user=staff)
    assert ("document", supplied.pk, "read") not in _triples(_walk(api, cursor)[0])


def test_a_change_is_written_in_the_transaction_of_the_write_R_OFF_6_item_1(staff):
    """R-OFF-6 item 1: a write that rolls back leaves no change behind (and one that commits
    leaves exactly its own)."""
    dossier = DossierFactory()
    user = UserFactory()
    start = Change.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier_services.grant_access(dossier=dossier, client=user.client, by=staff)
        assert Change.objects.filter(resource="access").count() == 1
        raise RuntimeError
    assert Change.objects.count() == start
    dossier_services.grant_access(dossier=dossier, client=user.client, by=staff)
    assert Change.objects.filter(resource="access", action="created").count() == 1


def test_cursor_walk_pages_and_resumes_from_an_empty_page_R_OFF_6_item_1(api):
    """R-OFF-6 item 1: pages of ``page_size`` in sequence order with ``more`` while more wait;
    the cursor of an empty page resumes there (nothing repeated, nothing missed)."""
    for _ in range(5):
        DossierFactory()
    first = api.get(f"{V1}/changes/", {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["more"] is True
    rest, cursor = _walk(api, first["cursor"], page_size=2)
    ids = [c["id"] for c in first["results"] + rest]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == Change.objects.count()
    empty = api.get(f"{V1}/changes/", {"cursor": cursor}).json()
    assert empty["results"] == [] and empty["more"] is False
    dossier = DossierFactory()
    after = api.get(f"{V1}/changes/", {"cursor": empty["cursor"]}).json()
    assert _triples(after["results"]) == [("dossier", dossier.pk, "created")]


def test_since_starts_the_feed_at_a_moment_R_OFF_6_item_1(api):
    """R-OFF-6 item 1: without a cursor, ``since`` starts at a moment (what came before is
    left out); a ``since`` that is no date is a 400."""
    old = DossierFactory()
    Change.objects.update(at=timezone.now() - timedelta(hours=2))
    new = DossierFactory()
    since = (timezone.now() - timedelta(hours=1)).isoformat()
    got = _triples(api.get(f"{V1}/changes/", {"since": since}).json()["results"])
    assert got == [("dossier", new.pk, "created")]
    assert ("dossier", old.pk, "created") not in got
    assert api.get(f"{V1}/changes/", {"since": "gisteren"}).status_code == 400


def test_settle_window_holds_back_young_changes_R_OFF_6_item_1(api, settings):
    """R-OFF-6 item 1: sequence numbers are taken at write time, not commit time, so a young
    change (whose earlier-numbered neighbours may still be committing) is held back for
    ``CHANGES_SETTLE_SECONDS``; the cursor stays before it and picks it up once settled."""
    settings.CHANGES_SETTLE_SECONDS = 30
    settled = DossierFactory()
    Change.objects.update(at=timezone.now() - timedelta(minutes=5))
    young = DossierFactory()
    page = api.get(f"{V1}/changes/").json()
    assert page["results"] and page["results"][-1]["object_id"] == settled.pk
    assert ("dossier", young.pk, "created") not in _triples(page["results"])
    assert page["more"] is False
    Change.objects.filter(object_id=young.pk).update(at=timezone.now() - timedelta(minutes=1))
    later = api.get(f"{V1}/changes/", {"cursor": page["cursor"]}).json()
    assert _triples(later["results"]) == [("dossier", young.pk, "created")]


def test_a_cursor_older_than_the_retention_is_410_gone_R_OFF_6_item_1(api, settings):
    """R-OFF-6 item 1: after ``CHANGES_RETENTION_DAYS`` the changes after a cursor may be
    pruned: the feed answers 410 as problem details (``cursor-expired``: load everything
    again), also for a ``since`` that old; an unknown cursor is a 404."""
    from portal.api.views import _encode_cursor

    settings.CHANGES_RETENTION_DAYS = 7
    DossierFactory()
    stale = _encode_cursor(1, timezone.now() - timedelta(days=8))
    gone = api.get(f"{V1}/changes/", {"cursor": stale})
    assert gone.status_code == 410
    assert gone["Content-Type"] == "application/problem+json"
    assert gone.json()["type"] == "urn:klantportaal:problem:cursor-expired"
    old = (timezone.now() - timedelta(days=8)).isoformat()
    assert api.get(f"{V1}/changes/", {"since": old}).status_code == 410
    fresh = _encode_cursor(0, timezone.now() - timedelta(days=6))
    assert api.get(f"{V1}/changes/", {"cursor": fresh}).status_code == 200
    assert api.get(f"{V1}/changes/", {"cursor": "not-ours!"}).status_code == 404


def test_changes_are_pruned_after_the_retention_R_OFF_6_item_1(db, settings):
    """R-OFF-6 item 1: the feed stays bounded: the hourly beat task deletes changes older than
    ``CHANGES_RETENTION_DAYS`` and keeps the rest."""
    settings.CHANGES_RETENTION_DAYS = 7
    DossierFactory()
    old = Change.objects.update(at=timezone.now() - timedelta(days=8))
    kept = DossierFactory()
    assert prune_changes() == old
    assert ("dossier", kept.pk) in Change.objects.values_list("resource", "object_id")
    assert not Change.objects.filter(at__lt=timezone.now() - timedelta(days=7)).exists()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "portal.integrations.tasks.prune_changes" in tasks


def test_the_feed_page_runs_a_fixed_number_of_queries_R_OFF_6_item_1(api):
    """R-OFF-6 item 1: a page of the feed costs the same queries with few and with many
    changes."""
    api.get(f"{V1}/changes/")  # "last used" of the token written now

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"{V1}/changes/", {"page_size": 500}).status_code == 200
        return len(queries)

    DossierFactory()
    few = count()
    for _ in range(30):
        dossier = DossierFactory()
        grant(dossier, UserFactory().client)
    assert Change.objects.count() > 60
    assert count() == few


def test_a_settled_change_waits_behind_an_earlier_number_still_settling_R_OFF_6_item_1(
    api, settings
):
    """R-OFF-6 item 1: two writers take their moment and their number in opposite orders, so
    number n+1 can be older than number n: the feed stops before n while n is young, and the
    cursor then resumes with n and n+1 (neither is skipped)."""
    settings.CHANGES_SETTLE_SECONDS = 30
    DossierFactory()
    Change.objects.update(at=timezone.now() - timedelta(minutes=5))
    start = _walk(api)[1]
    later, earlier = DossierFactory(), DossierFactory()
    young, old = Change.objects.filter(resource="dossier").order_by("-pk")[:2][::-1]
    Change.objects.filter(pk=young.pk).update(at=timezone.now())
    Change.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(minutes=2))
    held = api.get(f"{V1}/changes/", {"cursor": start}).json()
    assert held["results"] == [] and held["more"] is False
    Change.objects.filter(pk=young.pk).update(at=timezone.now() - timedelta(minutes=1))
    both = api.get(f"{V1}/changes/", {"cursor": held["cursor"]}).json()
    assert _triples(both["results"]) == [
        ("dossier", later.pk, "created"),
        ("dossier", earlier.pk, "created"),
    ]


def test_any_valid_token_of_the_office_reads_the_feed_R_OFF_6_item_1(db):
    """R-OFF-6 item 1: the feed is daily work: a handler's token and an administrator's
    configuring token read it; no token or a revoked one is a 401 (the access matrix of
    tests/test_api_access.py covers every caller)."""
    from .factories import AdministratorFactory

    DossierFactory()
    handler = make_token(StaffFactory(email="koppeling@office.test"))[1]
    configuring = make_token(AdministratorFactory(), name="Beheer", may_configure=True)[1]
    for raw in (handler, configuring):
        page = Api(raw).get(f"{V1}/changes/")
        assert page.status_code == 200 and page.json()["results"]
    revoked, raw = make_token(StaffFactory(email="oud@office.test"), name="Oud")
    revoked.revoke()
    assert Api(raw).get(f"{V1}/changes/").status_code == 401
    assert Api(None).get(f"{V1}/changes/").status_code == 401


def test_a_login_or_a_token_in_use_is_no_change_R_OFF_6_item_1(api, staff):
    """R-OFF-6 item 1: what the API does not show is not in the feed: a login (last_login)
    and a token's "last used" write no change; an account's name does."""
    user = UserFactory()
    before = Change.objects.count()
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    api.get(f"{V1}/dossiers/")
    assert Change.objects.count() == before
    user.full_name = "Jan Bakker"
    user.save(update_fields=["full_name"])
    assert _triples(_walk(api)[0])[-1] == ("client", user.client_id, "updated")


def test_approval_requests_are_in_the_feed_R_SIG_4(api, staff):
    """R-SIG-4 / R-OFF-6: an approval request made, answered and cancelled is in the feed as
    ``approval_request`` (not as an upload request)."""
    user = UserFactory(email="akkoord@example.test")
    dossier = DossierFactory()
    grant(dossier, user.client)
    document = document_services.publish_document(
        dossier=dossier,
        kind="document",
        title="Concept",
        file=SimpleUploadedFile("concept.pdf", PDF, content_type="application/pdf"),
    )
    _before, cursor = _walk(api)
    (answered,) = approvals.request_approval(
        dossier=dossier, document=document, clients=[user.client]
    )
    (cancelled,) = approvals.request_approval(
        dossier=dossier, document=document, clients=[user.client]
    )
    approvals.answer_approval(action=answered, approved=True, remark="", by=user)
    assert approvals.cancel_approval(action=cancelled, by=staff)
    got = _triples(_walk(api, cursor)[0])
    assert ("approval_request", answered.pk, "created") in got
    assert ("approval_request", answered.pk, "updated") in got
    assert ("approval_request", cancelled.pk, "updated") in got
    assert not [t for t in got if t[0] == "upload_request"]
