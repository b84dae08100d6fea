"""Retention of the portal's copies after a dossier closes (R-RET-1): per office and kind, a
legal hold, the daily sweep (local storage and S3), its content-free audit record, a crash and
a rerun, the dry run. The clock is moved with time-machine."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import call_command
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEntry
from portal.documents.models import Document, DocumentRead
from portal.dossiers import services as dossier_services
from portal.dossiers.models import Dossier
from portal.messaging.models import Message, MessageRead
from portal.questionnaires.models import Action, SigningRequest
from portal.questionnaires.tasks import make_missing_pdfs
from portal.retention import services, sweep
from portal.retention.models import FileRemoval, Kind, RetentionRules
from portal.retention.periods import closed_before, removal_date
from portal.retention.tasks import apply_retention
from tests.factories import (
    AdministratorFactory,
    DossierFactory,
    StaffFactory,
    StatusFactory,
    UserFactory,
    grant,
)
from tests.workspace_helpers import staff_http

pytestmark = pytest.mark.django_db

CLOSED = "2026-01-15 10:00 +0100"  # 15 January 2026, in the portal's time zone
SECRET = "GEHEIM"  # in every title, file name, text and answer: never in the audit trail


def closed_dossier(when: str = CLOSED, **fields) -> Dossier:
    """A dossier closed through the service at ``when`` (the moment is recorded there)."""
    dossier = DossierFactory(**fields)
    with time_machine.travel(when, tick=False):
        dossier_services.update_dossier(dossier=dossier, status=StatusFactory(closes_dossier=True))
    dossier.refresh_from_db()
    return dossier


def document(dossier: Dossier, kind: str, **fields) -> Document:
    return Document.objects.create(
        dossier=dossier,
        kind=kind,
        title=f"{SECRET} titel {kind}",
        original_name=f"{SECRET}-paspoort-{kind}.pdf",
        size=7,
        content_type="application/pdf",
        sha256="0" * 64,
        file=ContentFile(b"inhoud\n", name="upload"),
        **fields,
    )


def fill(dossier: Dossier, client_user=None) -> dict[str, list]:
    """One of each kind: correspondence, a document, a supplied file, a message with an
    attachment (read by the client), a completed questionnaire with its PDF, an upload request
    with its supplied file."""
    user = client_user or UserFactory()
    if client_user is None:
        grant(dossier, user.client)
    staff = StaffFactory()
    docs = [document(dossier, kind) for kind in Document.Kind.values]
    message = Message.objects.create(
        dossier=dossier,
        direction=Message.Direction.OUTGOING,
        subject=f"{SECRET} onderwerp",
        body=f"{SECRET} bericht",
        author=user,
    )
    attachment = document(dossier, Document.Kind.SUPPLIED, message=message)
    MessageRead.objects.create(message=message, user=staff)
    DocumentRead.objects.create(document=docs[0], user=user)
    pdf = document(dossier, Document.Kind.SUPPLIED)
    questionnaire = Action.objects.create(
        kind=Action.Kind.QUESTIONNAIRE,
        status=Action.Status.COMPLETED,
        dossier=dossier,
        client=user.client,
        title_nl=f"{SECRET} vragenlijst",
        answers={"q1": f"{SECRET} antwoord"},
        pdf_document=pdf,
    )
    upload = Action.objects.create(
        kind=Action.Kind.UPLOAD,
        status=Action.Status.COMPLETED,
        dossier=dossier,
        client=user.client,
        title_nl="Kopie paspoort",
    )
    upload.supplied_documents.add(docs[2])
    return {
        "documents": [*docs, attachment, pdf],
        "files": [d.file.name for d in [*docs, attachment, pdf]],
        "message": [message],
        "questionnaire": [questionnaire],
        "upload": [upload],
        "user": [user],
    }


def stored(name: str) -> bool:
    return default_storage.exists(name)


def run_on(day: str) -> int:
    with time_machine.travel(f"{day} 12:00 +0100", tick=False):
        return apply_retention()


# --- The periods --------------------------------------------------------------------------


def test_defaults_are_made_once_per_office_R_RET_1():
    """R-RET-1: an office without periods gets the documented defaults on first use; one row
    per office."""
    assert not RetentionRules.objects.exists()
    first = services.rules()
    assert services.rules() == first
    assert {kind: first.months(kind) for kind in Kind} == {
        Kind.CORRESPONDENCE: 12,
        Kind.DOCUMENTS: 12,
        Kind.SUPPLIED: 3,
        Kind.MESSAGES: 12,
        Kind.ANSWERS: 6,
    }
    assert RetentionRules.objects.count() == 1


@pytest.mark.parametrize(
    ("closed", "months", "first_day"),
    [
        (date(2026, 1, 15), 12, date(2027, 1, 16)),
        (date(2026, 8, 31), 6, date(2027, 3, 1)),  # Feb 28 is the period's last day
        (date(2027, 2, 28), 6, date(2027, 8, 29)),
        (date(2028, 2, 29), 12, date(2029, 3, 1)),
    ],
)
def test_removal_date_and_its_inverse_agree_at_month_ends_R_RET_1(closed, months, first_day):
    """R-RET-1: content is removed on the first day after the period (month ends clamped); the
    sweep's selection is the exact inverse: due that day, not the day before."""
    moment = timezone.make_aware(datetime.combine(closed, time(10)))
    assert removal_date(moment, months) == first_day
    assert moment < closed_before(months, first_day)
    assert not moment < closed_before(months, first_day - timedelta(days=1))


# --- The sweep ----------------------------------------------------------------------------


def test_removed_on_the_first_day_after_the_period_not_the_day_before_R_RET_1():
    """R-RET-1: with 12 months for correspondence, a dossier closed on 15 January 2026 keeps
    it through 15 January 2027 and loses it on 16 January; supplied files (3 months) went on
    16 April 2026; files leave the storage with their rows, read marks and links go along;
    the upload request itself stays."""
    dossier = closed_dossier()
    made = fill(dossier)
    _corr, _doc, supplied, _attachment, pdf = made["documents"]
    files = dict(zip(["corr", "doc", "supplied", "attachment", "pdf"], made["files"], strict=True))

    assert run_on("2026-04-15") == 0
    assert Document.objects.filter(dossier=dossier).count() == 5
    assert run_on("2026-04-16") == 1  # supplied: 3 months
    assert not Document.objects.filter(pk=supplied.pk).exists()
    assert not stored(files["supplied"])
    assert made["upload"][0].supplied_documents.count() == 0
    assert Action.objects.filter(pk=made["upload"][0].pk).exists()

    assert run_on("2026-07-15") == 0
    assert run_on("2026-07-16") == 1  # answers: 6 months, with their PDF
    assert not Action.objects.filter(pk=made["questionnaire"][0].pk).exists()
    assert not Document.objects.filter(pk=pdf.pk).exists()
    assert not stored(files["pdf"])
    assert make_missing_pdfs() == 0  # no PDF made again from nothing

    assert run_on("2027-01-15") == 0
    assert Document.objects.filter(dossier=dossier).count() == 3
    assert run_on("2027-01-16") == 3  # correspondence, documents, one message
    assert not Document.objects.filter(dossier=dossier).exists()
    assert not Message.objects.filter(dossier=dossier).exists()
    assert not DocumentRead.objects.exists() and not MessageRead.objects.exists()
    assert not any(stored(name) for name in files.values())
    assert not FileRemoval.objects.exists()
    assert run_on("2027-01-17") == 0  # idempotent


def test_periods_are_per_office_setting_R_RET_1():
    """R-RET-1: the office's own period counts: documents set to 2 months go after 2."""
    periods = services.rules()
    periods.documents_months = 2
    services.save_rules(rules=periods, fields=["documents_months"])
    dossier = closed_dossier()
    fill(dossier)
    assert run_on("2026-03-15") == 0
    run_on("2026-03-16")
    kinds = set(Document.objects.filter(dossier=dossier).values_list("kind", flat=True))
    assert Document.Kind.DOCUMENT not in kinds


def test_never_under_a_hold_and_removed_on_the_next_run_after_lifting_R_RET_1():
    """R-RET-1: a held dossier keeps everything past every period; once the hold is lifted the
    next run removes what is due."""
    dossier = closed_dossier()
    made = fill(dossier)
    dossier_services.place_hold(dossier=dossier, reason="Geschil", by=StaffFactory())
    assert run_on("2030-01-01") == 0
    assert Document.objects.filter(dossier=dossier).count() == 5
    assert all(stored(name) for name in made["files"])
    dossier_services.lift_hold(dossier=dossier)
    assert run_on("2030-01-02") == 5  # 3 documents, a message, a questionnaire
    assert not Document.objects.filter(dossier=dossier).exists()
    assert not any(stored(name) for name in made["files"])


def test_never_for_an_open_or_reopened_dossier_R_RET_1():
    """R-RET-1: an open dossier is never touched, nor one closed and opened again (its closing
    moment is cleared)."""
    open_dossier = DossierFactory()
    fill(open_dossier)
    reopened = closed_dossier()
    fill(reopened)
    dossier_services.update_dossier(dossier=reopened, status=StatusFactory(in_progress=True))
    assert run_on("2035-01-01") == 0
    assert Document.objects.count() == 10
    assert Message.objects.count() == 2


def test_the_audit_record_holds_no_content_R_RET_1():
    """R-RET-1: one entry per dossier and kind says what kind, how many, when and under which
    rule; no title, file name, subject, text or answer is in any field of any entry the
    sweep wrote."""
    dossier = closed_dossier()
    fill(dossier)
    before = set(AuditEntry.objects.values_list("pk", flat=True))
    run_on("2027-06-01")
    entries = AuditEntry.objects.exclude(pk__in=before).filter(action="retention.removed")
    by_kind = {entry.data["kind"]: entry for entry in entries}
    assert set(by_kind) == {str(kind) for kind in Kind}
    messages = by_kind["messages"]
    assert messages.dossier_id == dossier.pk
    assert messages.target == dossier.number
    assert messages.data["count"] == 1 and messages.data["files"] == 1
    assert messages.data["rule"] == "messages_months" and messages.data["months"] == 12
    assert messages.data["closed_on"] == "2026-01-15"
    assert messages.data["due_on"] == "2027-01-16"
    for entry in AuditEntry.objects.exclude(pk__in=before):
        for field in AuditEntry._meta.concrete_fields:
            value = str(getattr(entry, field.attname))
            assert SECRET not in value and "paspoort" not in value, (entry.action, field.name)


def test_a_crash_halfway_and_a_rerun_finish_the_job_R_RET_1(settings, monkeypatch):
    """R-RET-1: the storage fails after removing 4 files (the run stops with an error); the
    next run removes the rest: no row or file is left, and each dossier's counts are in the
    trail once."""
    settings.PRUNE_BATCH_SIZE = 2
    dossiers = [closed_dossier() for _ in range(3)]
    files = []
    for dossier in dossiers:
        files += fill(dossier)["files"]
    real_delete = FileSystemStorage.delete
    calls = {"n": 0}

    def failing_delete(storage, name):
        calls["n"] += 1
        if calls["n"] > 4:
            raise OSError("storage unavailable")
        return real_delete(storage, name)

    monkeypatch.setattr(FileSystemStorage, "delete", failing_delete)
    with pytest.raises(OSError):
        run_on("2027-06-01")
    assert FileRemoval.objects.exists()
    monkeypatch.setattr(FileSystemStorage, "delete", real_delete)
    run_on("2027-06-02")
    assert not Document.objects.exists()
    assert not Message.objects.exists()
    assert not Action.objects.filter(kind=Action.Kind.QUESTIONNAIRE).exists()
    assert not FileRemoval.objects.exists()
    assert not any(stored(name) for name in files)
    counted = {}
    for entry in AuditEntry.objects.filter(action="retention.removed"):
        key = (entry.dossier_id, entry.data["kind"])
        counted[key] = counted.get(key, 0) + entry.data["count"]
    for dossier in dossiers:
        assert counted[(dossier.pk, "correspondence")] == 1
        assert counted[(dossier.pk, "supplied")] == 1
        assert counted[(dossier.pk, "messages")] == 1
        assert counted[(dossier.pk, "answers")] == 1
    assert run_on("2027-06-03") == 0


def test_a_missing_file_does_not_stop_the_sweep_R_RET_1():
    """R-RET-1: a row whose file is already gone from storage is removed all the same."""
    dossier = closed_dossier()
    made = fill(dossier)
    default_storage.delete(made["files"][0])
    run_on("2027-06-01")
    assert not Document.objects.filter(dossier=dossier).exists()


def test_dry_run_prints_and_changes_nothing_R_RET_1():
    """R-RET-1: ``manage.py retention --dry-run`` lists per office, dossier and kind how many
    and from which date; nothing is removed and nothing is recorded."""
    dossier = closed_dossier()
    made = fill(dossier)
    audit_before = AuditEntry.objects.count()
    out = io.StringIO()
    with time_machine.travel("2026-08-01 12:00 +0200", tick=False):
        call_command("retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert f"{dossier.number}  supplied  1  2026-04-16" in text
    assert f"{dossier.number}  answers  1  2026-07-16" in text
    assert "correspondence" not in text
    assert SECRET not in text
    assert Document.objects.filter(dossier=dossier).count() == 5
    assert all(stored(name) for name in made["files"])
    assert AuditEntry.objects.count() == audit_before

    out = io.StringIO()
    with time_machine.travel("2026-08-01 12:00 +0200", tick=False):
        call_command("retention", stdout=out)
    assert f"{dossier.number}  supplied  1" in out.getvalue()
    assert Document.objects.filter(dossier=dossier).count() == 3


def test_clients_pages_still_work_after_removal_R_RET_1(person):
    """R-RET-1: the client's dossier page, every tab, the actions and the upload request still
    answer 200 once the content went; the removed document's download is a 404."""
    dossier = closed_dossier()
    grant(dossier, person.client)
    made = fill(dossier, client_user=person)
    gone = made["documents"][0]
    run_on("2027-06-01")
    http = HttpClient()
    http.force_login(person)
    for tab in ("correspondentie", "documenten", "aangeleverd", "berichten"):
        assert http.get(reverse("dossiers:tab", args=[dossier.pk, tab])).status_code == 200
    assert http.get(reverse("dossiers:detail", args=[dossier.pk])).status_code == 200
    assert http.get(reverse("questionnaires:list")).status_code == 200
    download = reverse("documents:download", args=[dossier.pk, gone.pk])
    assert http.get(download).status_code == 404


# --- S3 -----------------------------------------------------------------------------------


@pytest.fixture
def s3():
    from tests.s3 import moto_s3

    with moto_s3() as server:
        yield server


def test_files_are_removed_from_s3_R_RET_1(s3, monkeypatch, settings):
    """R-RET-1: with the files in an S3 bucket (moto's server), the sweep removes the objects
    of the rows it removes; nothing of the dossier is left in the bucket."""
    from portal.settings import s3_storage

    bucket = s3.create_bucket()
    for key, value in s3.env(bucket).items():
        monkeypatch.setenv(key, value)
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage()}
    dossier = closed_dossier()
    made = fill(dossier)
    client = s3.client()
    keys = {o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])}
    assert set(made["files"]) <= keys
    assert not (Path(django_settings.MEDIA_ROOT) / made["files"][0]).exists()
    run_on("2027-06-01")
    assert client.list_objects_v2(Bucket=bucket).get("Contents", []) == []


# --- The workspace ------------------------------------------------------------------------


def test_workspace_shows_the_removal_dates_and_places_and_lifts_a_hold_R_RET_1():
    """R-RET-1: staff see when the dossier closed and when each kind goes; a hold is placed
    with its reason (an empty reason is refused, nothing saved), shown with who and when
    instead of the dates, lifted again; both through the audited services."""
    staff = StaffFactory(full_name="Anna Notaris")
    http = staff_http(staff)
    open_dossier = DossierFactory()
    page = http.get(reverse("workspace:dossier", args=[open_dossier.pk])).content.decode()
    assert "Open: nog geen verwijderdatum" in page

    dossier = closed_dossier()
    url = reverse("workspace:dossier", args=[dossier.pk])
    with time_machine.travel("2026-02-01 12:00 +0100"):
        page = http.get(url).content.decode()
    assert "Afgesloten op 15 januari 2026" in page
    assert "Aangeleverd door de klant: wordt verwijderd op 16 april 2026" in page
    assert "Correspondentie: wordt verwijderd op 16 januari 2027" in page
    with time_machine.travel("2026-05-01 12:00 +0200"):
        page = http.get(url).content.decode()
    assert "Aangeleverd door de klant: verwijderd vanaf 16 april 2026" in page
    assert "Correspondentie: wordt verwijderd op 16 januari 2027" in page

    periods = services.rules()
    for kind in Kind:
        setattr(periods, f"{kind}_months", 24)
    services.save_rules(rules=periods, fields=[f"{kind}_months" for kind in Kind])
    page = http.get(url).content.decode()
    assert "Wordt verwijderd op 16 januari 2028" in page

    refused = http.post(reverse("workspace:place_hold", args=[dossier.pk]), {"reason": "  "})
    assert refused.status_code == 400
    assert not dossier.holds.exists()
    placed = http.post(
        reverse("workspace:place_hold", args=[dossier.pk]), {"reason": "Geschil <b>koper</b>"}
    )
    assert placed.status_code == 302
    page = http.get(url).content.decode()
    assert "Blokkade: Geschil &lt;b&gt;koper&lt;/b&gt; (door Anna Notaris op " in page
    assert "Wordt verwijderd op" not in page
    assert AuditEntry.objects.filter(action="dossier.hold_placed", actor=staff).exists()

    lifted = http.post(reverse("workspace:lift_hold", args=[dossier.pk]))
    assert lifted.status_code == 302
    assert not dossier.holds.filter(lifted_at__isnull=True).exists()
    assert AuditEntry.objects.filter(action="dossier.hold_lifted", actor=staff).exists()
    assert "Wordt verwijderd op 16 januari 2028" in http.get(url).content.decode()


def test_office_administrator_changes_the_periods_audited_R_RET_1():
    """R-RET-1: the periods are edited in the admin (one row per office, none added), a
    period of 0 ("keep forever") is refused with a message, and a change is audited with
    the administrator, the fields and the numbers before and after."""
    administrator = AdministratorFactory()
    http = staff_http(administrator)
    listing = http.get("/beheer/retention/retentionrules/")
    assert listing.status_code == 200
    periods = RetentionRules.objects.get()
    change = f"/beheer/retention/retentionrules/{periods.pk}/change/"
    data = {
        "correspondence_months": 12,
        "documents_months": 12,
        "supplied_months": 0,
        "messages_months": 12,
        "answers_months": 6,
    }
    refused = http.post(change, data)
    assert refused.status_code == 200
    assert "Zorg ervoor dat deze waarde minstens 1 is." in refused.content.decode()
    assert RetentionRules.objects.get().supplied_months == 3
    response = http.post(change, {**data, "supplied_months": 1})
    assert response.status_code == 302
    assert RetentionRules.objects.get().supplied_months == 1
    entry = AuditEntry.objects.get(action="retention.rules_changed")
    assert entry.actor == administrator
    assert entry.data["changes"] == {"supplied_months": [3, 1]}
    assert http.get("/beheer/retention/retentionrules/add/").status_code == 403


def test_the_benchmark_sweeps_its_data_at_a_small_size_R_RET_1():
    """R-RET-1, issue 20's benchmark: ``bench/retention.py``'s data (closed dossiers, documents
    of the three kinds with read marks, some files on disk and some missing) is swept
    completely in one run, at 60 documents instead of 100,000."""
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "bench" / "retention.py"
    spec = importlib.util.spec_from_file_location("bench_retention", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    result = bench.measure(dossiers=4, documents=60, on_disk_every=7)
    assert result["planned"] == result["removed"] == 60
    assert result["files_on_disk"] == 9
    left = result["left"]
    assert (left["documents"], left["read_marks"], left["file_removals"]) == (0, 0, 0)


def test_the_command_takes_one_office_by_id_or_host_R_RET_1():
    """R-RET-1: ``--office`` names the office by id or host name; an unknown one is refused
    with a clear message; a dry run makes not even the default periods' row."""
    from django.core.management.base import CommandError

    from portal.offices.models import Office

    office = Office.current()
    dossier = closed_dossier()
    fill(dossier)
    out = io.StringIO()
    with time_machine.travel("2027-06-01 12:00 +0200", tick=False):
        call_command("retention", "--dry-run", "--office", str(office.pk), stdout=out)
    assert out.getvalue().startswith(f"{office.name} (office {office.pk}): 5 due")
    assert not RetentionRules.objects.exists()
    with pytest.raises(CommandError, match="No office with id or host name 'nergens.test'"):
        call_command("retention", "--office", "nergens.test")


def test_approval_answers_and_preview_pages_go_too_R_RET_1():
    """R-RET-1: an approval request (the client's answer and remark) goes with the answers'
    period; a removed document's preview goes with it, its page images from storage too."""
    from portal.documents.models import DocumentPreview
    from portal.questionnaires.models import ApprovalRequest

    dossier = closed_dossier()
    user = UserFactory()
    grant(dossier, user.client)
    published = document(dossier, Document.Kind.DOCUMENT)
    preview = DocumentPreview.objects.create(
        document=published, status=DocumentPreview.Status.READY, page_count=2
    )
    pages = [default_storage.save(preview.page_name(n), ContentFile(b"RIFF")) for n in (1, 2)]
    approval = Action.objects.create(
        kind=Action.Kind.APPROVAL,
        status=Action.Status.COMPLETED,
        dossier=dossier,
        client=user.client,
        title_nl="Akkoord concept",
    )
    ApprovalRequest.objects.create(
        action=approval,
        document=published,
        document_title=published.title,
        answer=ApprovalRequest.Answer.REJECTED,
        remark=f"{SECRET} opmerking",
    )
    assert run_on("2026-07-16") == 1  # the approval, with the answers (6 months)
    assert not ApprovalRequest.objects.exists()
    assert Document.objects.filter(pk=published.pk).exists()
    assert all(stored(name) for name in pages)
    assert run_on("2027-01-16") == 1  # the document (12 months), with its preview
    assert not DocumentPreview.objects.exists()
    assert not any(stored(name) for name in pages)
    assert not FileRemoval.objects.exists()


def test_a_hold_placed_while_a_batch_is_selected_still_stops_it_R_RET_1(monkeypatch):
    """R-RET-1: the batch checks for a hold again with the dossier's row locked (``place_hold``
    locks it too): rows selected before a hold was committed are kept. Simulated by a
    selection that ignores holds, as one made just before the hold."""
    held, free = closed_dossier(), closed_dossier()
    fill(held)
    fill(free)
    dossier_services.place_hold(dossier=held, reason="Beslag", by=StaffFactory())

    def stale(kind, periods, today):
        return Dossier.objects.filter(closed_at__isnull=False)

    monkeypatch.setattr(sweep, "due_dossiers", stale)
    run_on("2027-06-01")
    assert Document.objects.filter(dossier=held).count() == 5
    assert Message.objects.filter(dossier=held).exists()
    assert Action.objects.filter(dossier=held, kind=Action.Kind.QUESTIONNAIRE).exists()
    assert not Document.objects.filter(dossier=free).exists()


def test_a_signing_request_goes_with_its_document_R_RET_1():
    """R-RET-1 with R-SIG-5: a document that was asked to be signed is removed with its
    signing request and the signers' items under "Acties" (the signed PDF is a document of its
    own, under the supplied files' period)."""
    from portal.questionnaires.models import Signer

    dossier = closed_dossier()
    user = UserFactory()
    grant(dossier, user.client)
    published = document(dossier, Document.Kind.DOCUMENT)
    request = SigningRequest.objects.create(dossier=dossier, document=published)
    item = Action.objects.create(
        kind=Action.Kind.SIGNING,
        dossier=dossier,
        client=user.client,
        title_nl="Volmacht ondertekenen",
    )
    Signer.objects.create(request=request, account=user, action=item, name=f"{SECRET} naam")
    assert run_on("2027-01-16") == 1  # the document (12 months)
    assert not Document.objects.filter(pk=published.pk).exists()
    assert not SigningRequest.objects.exists()
    assert not Signer.objects.exists()
    assert not Action.objects.filter(pk=item.pk).exists()
