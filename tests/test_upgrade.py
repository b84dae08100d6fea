"""The upgrade of a single-office installation (R-TEN-4, issue 18 item 6): a database made by the
code before the offices (each app migrated to its migration before the office column) holds an
office, its statuses, clients, accounts, dossiers, documents, messages, questionnaires, e-mails,
second factors, API tokens, webhooks and audit entries; migrated forward, every row belongs to
that one office and the host name of PORTAL_BASE_URL is its primary host name."""

from __future__ import annotations

import pytest
from django.apps import apps as current_apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from portal.core import tenancy

# The last migration of each app before the offices foundation.
BEFORE_OFFICES = [
    ("offices", "0003_accessibility_statement"),
    ("accounts", "0004_staff_role"),
    ("dossiers", "0006_client_search_trigram_indexes"),
    ("documents", "0005_page_order_indexes"),
    ("messaging", "0006_merge_0004_submission_key_0005_waiting_index_only"),
    ("questionnaires", "0003_action_cancelled"),
    ("notifications", "0002_notificationpreferences_pendingnotification"),
    ("twofactor", "0001_initial"),
    ("api", "0003_token_may_configure"),
    ("audit", "0002_client"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def fill_single_office_database(old) -> dict[str, int]:
    """Rows as the code before the offices made them, through the historical models."""
    now = timezone.now()
    office = old.get_model("offices", "Office").objects.create(name="Notariskantoor Van Dam")
    status_model = old.get_model("offices", "DossierStatus")
    status = status_model.objects.create(name="In behandeling", in_progress=True, position=1)
    status_model.objects.create(name="Afgerond", position=2)
    client = old.get_model("accounts", "Client").objects.create(kind="person", name="J. de Vries")
    user_model = old.get_model("accounts", "User")
    jan = user_model.objects.create(
        email="jan@example.nl", password="!", full_name="Jan de Vries", client=client
    )
    staff = user_model.objects.create(
        email="notaris@example.nl", password="!", full_name="mr. E. van Dam", is_staff=True
    )
    old.get_model("accounts", "AccountToken").objects.create(
        user=jan, purpose="invitation", token_hash="a" * 64, expires_at=now
    )
    dossier = old.get_model("dossiers", "Dossier").objects.create(
        number="2026.0142", description="Levering Dorpsstraat 12", status=status, handler=staff
    )
    old.get_model("dossiers", "DossierAccess").objects.create(
        dossier=dossier, client=client, granted_by=staff
    )
    old.get_model("dossiers", "ProgressStep").objects.create(
        dossier=dossier, position=1, title="Koopovereenkomst ontvangen", done=True
    )
    message = old.get_model("messaging", "Message").objects.create(
        dossier=dossier, direction="outgoing", subject="Vraag", body="Tekst", author=jan
    )
    old.get_model("messaging", "MessageRead").objects.create(message=message, user=staff)
    document = old.get_model("documents", "Document").objects.create(
        dossier=dossier,
        kind="document",
        title="Concept-akte",
        original_name="akte.pdf",
        size=10,
        content_type="application/pdf",
        sha256="b" * 64,
        file="documents/abc",
        uploaded_by=staff,
    )
    old.get_model("documents", "DocumentRead").objects.create(document=document, user=jan)
    template = old.get_model("questionnaires", "QuestionnaireTemplate").objects.create(
        title_nl="Vragenlijst levering"
    )
    old.get_model("questionnaires", "Action").objects.create(
        kind="upload", dossier=dossier, client=client, title_nl="Kopie ID", sent_by=staff
    )
    old.get_model("notifications", "OutgoingEmail").objects.create(
        to="jan@example.nl", subject="Welkom", kind="invitation", body_text="t", body_html="h"
    )
    old.get_model("twofactor", "RecoveryCode").objects.create(
        device=old.get_model("twofactor", "RecoveryDevice").objects.create(
            user=staff, name="recovery"
        ),
        code_hash="c" * 64,
    )
    endpoint = old.get_model("api", "WebhookEndpoint").objects.create(
        office=office, url="https://dms.example.nl/hooks", secret="s" * 32
    )
    old.get_model("api", "WebhookDelivery").objects.create(
        endpoint=endpoint, event="message.sent", payload={}
    )
    old.get_model("audit", "AuditEntry").objects.create(
        action="dossier.created", actor=staff, target="2026.0142", client=client
    )
    return {"office": office.pk, "template": template.pk}


@pytest.mark.django_db(transaction=True)
def test_a_single_office_database_upgrades_to_one_office_with_all_its_data_R_TEN_4(settings):
    """R-TEN-4: every row of every office model belongs to the installation's one office after
    the upgrade, none is left without; PORTAL_BASE_URL's host name is its primary host."""
    settings.PORTAL_BASE_URL = "https://portaal.vandam.example"
    try:
        old = migrate(BEFORE_OFFICES)
        # A hosting path: no office exists for the old code's rows yet.
        with tenancy.cross_office():
            made = fill_single_office_database(old)
    finally:
        # Forward to the newest migrations whatever happened: the next tests need them.
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        migrate(executor.loader.graph.leaf_nodes())

    office_model = current_apps.get_model("offices", "Office")
    host_model = current_apps.get_model("offices", "OfficeHost")
    with tenancy.cross_office():
        assert list(office_model.objects.values_list("pk", flat=True)) == [made["office"]]
        hosts = list(host_model.objects.values_list("name", "primary", "office_id"))
        assert hosts == [("portaal.vandam.example", True, made["office"])]
        checked = {}
        for model in current_apps.get_models():
            fields = {f.name: f for f in model._meta.concrete_fields}
            office_field = fields.get("office")
            if office_field is None or office_field.related_model is not office_model:
                continue
            rows = model._base_manager.count()
            elsewhere = model._base_manager.exclude(office_id=made["office"]).count()
            checked[model._meta.label_lower] = (rows, elsewhere)
    assert all(elsewhere == 0 for _rows, elsewhere in checked.values()), checked
    # The filled tables were all among them, with their rows.
    for label, rows in {
        "offices.dossierstatus": 2,
        "accounts.client": 1,
        "accounts.user": 2,
        "accounts.accounttoken": 1,
        "dossiers.dossier": 1,
        "dossiers.dossieraccess": 1,
        "dossiers.progressstep": 1,
        "messaging.message": 1,
        "messaging.messageread": 1,
        "documents.document": 1,
        "documents.documentread": 1,
        "questionnaires.questionnairetemplate": 1,
        "questionnaires.action": 1,
        "notifications.outgoingemail": 1,
        "twofactor.recoverycode": 1,
        "api.webhookendpoint": 1,
        "api.webhookdelivery": 1,
        "audit.auditentry": 1,
    }.items():
        assert checked.get(label, (None,))[0] == rows, label

    # The upgraded office serves its host name, and its data reads in its scope.
    from portal.dossiers.models import Dossier
    from portal.offices.models import Office

    office = Office.for_host("portaal.vandam.example")
    assert office is not None and office.pk == made["office"]
    with tenancy.office_scope(office):
        assert list(Dossier.objects.values_list("number", flat=True)) == ["2026.0142"]
