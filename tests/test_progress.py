"""The progress list keeps what it knows (R-DOS-5, R-OFF-2; issue 16 item 6): a save keeps the
steps that continue, with the time each was ticked off (``done_at``, shown by the API); every
change is audited with the list before and after and moves ``dossier.updated_at``, as granting
and revoking access do, so the API's ``updated_since`` finds the dossier."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from portal.audit.display import describe
from portal.audit.models import AuditEntry
from portal.dossiers import services
from portal.dossiers.models import Dossier, ProgressStep

from .api_helpers import Api, make_token
from .factories import ClientFactory, DossierFactory, StaffFactory, StepFactory
from .workspace_helpers import staff_http

V1 = "/api/v1"
LONG_AGO = timezone.now() - timedelta(days=30)


@pytest.fixture
def dossier(db) -> Dossier:
    """A dossier with three steps; the first was ticked off a month ago."""
    dossier = DossierFactory()
    for position, (title, done) in enumerate(
        [("Concept", True), ("Ondertekenen", False), ("Inschrijven", False)], start=1
    ):
        StepFactory(dossier=dossier, position=position, title=title, done=done)
    ProgressStep.objects.filter(dossier=dossier, done=True).update(done_at=LONG_AGO)
    Dossier.objects.filter(pk=dossier.pk).update(updated_at=LONG_AGO)
    dossier.refresh_from_db()
    return dossier


def done_at(dossier: Dossier) -> dict[str, object]:
    return dict(dossier.steps.values_list("title", "done_at"))


def ids(dossier: Dossier) -> dict[str, int]:
    return dict(dossier.steps.values_list("title", "pk"))


@pytest.mark.parametrize(
    "steps",
    [
        # reordered
        [("Ondertekenen", False), ("Concept", True), ("Inschrijven", False)],
        # another step renamed where it stands
        [("Concept", True), ("Tekenen bij de notaris", False), ("Inschrijven", False)],
        # a step added in front and one at the end
        [("Intake", False), ("Concept", True), ("Ondertekenen", False), ("Inschrijven", False)],
        # another step ticked off, one removed
        [("Concept", True), ("Ondertekenen", True)],
    ],
    ids=["reorder", "rename-other", "add", "tick-other-and-remove"],
)
def test_done_at_survives_a_save_that_keeps_the_step_done_R_DOS_5(dossier, steps):
    """R-DOS-5, issue 16 item 6: a step that stays done keeps its ``done_at`` and its identity
    (the same row) however the rest of the list changes, matched by title and place."""
    concept = ids(dossier)["Concept"]
    assert services.set_progress(dossier=dossier, steps=steps)
    assert done_at(dossier)["Concept"] == LONG_AGO
    assert ids(dossier)["Concept"] == concept
    assert list(dossier.steps.values_list("title", "done")) == steps


def test_a_renamed_step_keeps_its_identity_and_done_at_R_DOS_5(dossier):
    """R-DOS-5, issue 16 item 6: renaming a done step where it stands keeps the step (same id)
    and the time it was ticked off."""
    concept = ids(dossier)["Concept"]
    services.set_progress(
        dossier=dossier,
        steps=[("Concept akte", True), ("Ondertekenen", False), ("Inschrijven", False)],
    )
    assert ids(dossier)["Concept akte"] == concept
    assert done_at(dossier)["Concept akte"] == LONG_AGO


def test_done_at_is_set_on_tick_and_cleared_on_untick_R_DOS_5(dossier):
    """R-DOS-5, issue 16 item 6: ticking a step off sets ``done_at`` to now; unticking clears
    it; ticking it again gives a new time, not the old one."""
    before = timezone.now()
    services.set_progress(
        dossier=dossier,
        steps=[("Concept", False), ("Ondertekenen", True), ("Inschrijven", False)],
    )
    times = done_at(dossier)
    assert times["Concept"] is None
    assert times["Ondertekenen"] >= before
    assert times["Inschrijven"] is None
    services.set_progress(
        dossier=dossier,
        steps=[("Concept", True), ("Ondertekenen", True), ("Inschrijven", False)],
    )
    assert done_at(dossier)["Concept"] >= before
    assert done_at(dossier)["Ondertekenen"] == times["Ondertekenen"]


def test_ids_given_by_the_caller_decide_which_step_a_row_continues_R_OFF_2(dossier):
    """R-OFF-2, issue 16 item 6: with ids (the workspace form), a step renamed and moved keeps
    its row and ``done_at``, and a row without an id is a new step even under an old title."""
    known = ids(dossier)
    services.set_progress(
        dossier=dossier,
        steps=[
            ("Inschrijven", False, known["Inschrijven"]),
            ("Ontwerpakte", True, known["Concept"]),
            ("Ondertekenen", False, None),
        ],
    )
    now_ids = ids(dossier)
    assert now_ids["Ontwerpakte"] == known["Concept"]
    assert now_ids["Inschrijven"] == known["Inschrijven"]
    assert now_ids["Ondertekenen"] not in known.values()
    assert done_at(dossier)["Ontwerpakte"] == LONG_AGO


def test_workspace_form_keeps_done_at_through_reorder_rename_and_add_R_OFF_2(dossier):
    """R-OFF-2, issue 16 item 6: the workspace's progress form posts each row's id; moving the
    done step down, renaming it and adding a step keeps its ``done_at``."""
    http = staff_http(StaffFactory())
    page = http.get(f"/kantoor/dossiers/{dossier.pk}/").content.decode()
    known = ids(dossier)
    assert f'name="step-0-id" value="{known["Concept"]}"' in page
    rows = {"step-count": "3", "new-title": "Afrekenen", "move": "down:0"}
    for n, title in enumerate(["Concept", "Ondertekenen", "Inschrijven"]):
        rows[f"step-{n}-id"] = str(known[title])
        rows[f"step-{n}-title"] = "Ontwerpakte" if title == "Concept" else title
        rows[f"step-{n}-position"] = str(n + 1)
    rows["step-0-done"] = "1"
    response = http.post(f"/kantoor/dossiers/{dossier.pk}/voortgang/", rows)
    assert response.status_code == 302
    assert list(dossier.steps.values_list("title", "done")) == [
        ("Ondertekenen", False),
        ("Ontwerpakte", True),
        ("Inschrijven", False),
        ("Afrekenen", False),
    ]
    assert ids(dossier)["Ontwerpakte"] == known["Concept"]
    assert done_at(dossier)["Ontwerpakte"] == LONG_AGO


def test_progress_change_is_audited_with_old_and_new_R_X_1(dossier):
    """R-X-1, issue 16 item 6: the entry "dossier.progress_set" holds the list before and after
    as [title, done]; its sentence says how many steps are done now and were before; a save
    that changes nothing records nothing."""
    staff = StaffFactory()
    new = [("Concept", True), ("Ondertekenen", True)]
    services.set_progress(dossier=dossier, steps=new, by=staff)
    entry = AuditEntry.objects.get(action="dossier.progress_set")
    assert entry.actor == staff
    assert entry.data == {
        "before": [["Concept", True], ["Ondertekenen", False], ["Inschrijven", False]],
        "after": [["Concept", True], ["Ondertekenen", True]],
    }
    with translation.override("en"):
        assert describe(entry) == (
            f"Progress list of dossier {dossier.number} saved: 2 of 2 steps done (before: 1 of 3)"
        )
    with translation.override("nl"):
        assert describe(entry) == (
            f"Voortgang van dossier {dossier.number} opgeslagen: 2 van 2 stappen klaar"
            " (eerst: 1 van 3)"
        )
        # An entry recorded without the lists still reads as a sentence.
        entry.data = {}
        assert describe(entry) == f"Voortgang van dossier {dossier.number} opgeslagen"
    assert not services.set_progress(dossier=dossier, steps=new, by=staff)
    assert AuditEntry.objects.filter(action="dossier.progress_set").count() == 1


def test_progress_save_moves_updated_at_R_OFF_6(dossier):
    """R-OFF-6, issue 16 item 6 (issue 17): a progress change moves ``dossier.updated_at``."""
    before = timezone.now()
    services.set_progress(dossier=dossier, steps=[("Concept", True)])
    dossier.refresh_from_db()
    assert dossier.updated_at >= before


def test_grant_and_revoke_move_updated_at_R_DOS_6(dossier):
    """R-DOS-6 / R-OFF-6, issue 16 item 6: granting and revoking access move
    ``dossier.updated_at``; a grant that already existed does not."""
    client = ClientFactory()
    before = timezone.now()
    services.grant_access(dossier=dossier, client=client)
    dossier.refresh_from_db()
    granted_at = dossier.updated_at
    assert granted_at >= before
    services.grant_access(dossier=dossier, client=client)
    dossier.refresh_from_db()
    assert dossier.updated_at == granted_at
    Dossier.objects.filter(pk=dossier.pk).update(updated_at=LONG_AGO)
    dossier.refresh_from_db()
    services.revoke_access(dossier=dossier, client=client)
    dossier.refresh_from_db()
    assert dossier.updated_at >= before


def test_api_updated_since_finds_a_dossier_after_a_grant_and_a_steps_save_R_OFF_6(dossier):
    """R-OFF-6, issue 16 item 6: the API's dossier list with ``updated_since`` returns a dossier
    after a grant through the API and after a PUT of its steps; the steps PUT keeps
    ``done_at`` of the step that stays done."""
    api = Api(make_token(StaffFactory())[1])
    since = {"updated_since": (LONG_AGO + timedelta(days=1)).isoformat()}
    assert api.get(f"{V1}/dossiers/", since).json()["results"] == []

    moment = {"updated_since": timezone.now().isoformat()}
    granted = api.post(f"{V1}/dossiers/{dossier.pk}/grants/", {"client": ClientFactory().pk})
    assert granted.status_code == 201, granted.content
    assert [row["id"] for row in api.get(f"{V1}/dossiers/", moment).json()["results"]] == [
        dossier.pk
    ]

    moment = {"updated_since": timezone.now().isoformat()}
    put = api.put(
        f"{V1}/dossiers/{dossier.pk}/steps/",
        {"steps": [{"title": "Intake"}, {"title": "Concept", "done": True}]},
    )
    assert put.status_code == 200, put.content
    assert [row["id"] for row in api.get(f"{V1}/dossiers/", moment).json()["results"]] == [
        dossier.pk
    ]
    steps = {row["title"]: row for row in put.json()["steps"]}
    assert steps["Concept"]["done_at"] is not None
    assert done_at(dossier)["Concept"] == LONG_AGO


def test_the_admin_shows_progress_but_does_not_change_it_R_OFF_2_R_X_1(dossier):
    """R-OFF-2, R-X-1: progress is daily work, saved in the workspace through ``set_progress``
    ("dossier.progress_set", above); the admin shows the steps to an office administrator and
    refuses a change (no second path with another audit name). An entry an earlier admin
    recorded still reads as a sentence."""
    http = staff_http(StaffFactory(staff_role="administrator"))
    steps = list(dossier.steps.all())
    page = http.get(f"/beheer/dossiers/dossier/{dossier.pk}/change/")
    assert page.status_code == 200
    assert all(step.title in page.content.decode() for step in steps)
    form = {
        "number": dossier.number,
        "description": dossier.description,
        "status": dossier.status_id,
        "steps-TOTAL_FORMS": len(steps),
        "steps-INITIAL_FORMS": len(steps),
    }
    for i, step in enumerate(steps):
        form[f"steps-{i}-id"] = step.pk
        form[f"steps-{i}-title"] = step.title
        form[f"steps-{i}-done"] = "on"
    response = http.post(f"/beheer/dossiers/dossier/{dossier.pk}/change/", form)
    assert response.status_code == 403
    assert [(s.title, s.done, s.done_at) for s in dossier.steps.all()] == [
        (s.title, s.done, s.done_at) for s in steps
    ]
    assert not AuditEntry.objects.filter(action__startswith="dossier.").exists()
    earlier = AuditEntry(
        action="dossier.progress_changed",
        target=dossier.number,
        data={"before": [["Concept", True]], "after": [["Concept", True], ["Akte", False]]},
    )
    with translation.override("en"):
        assert describe(earlier) == (
            f"Progress list of dossier {dossier.number} changed in the admin: 1 of 2 steps"
            " done (before: 1 of 1)"
        )
