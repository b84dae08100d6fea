"""The integrator's day as a test (R-OFF-6): a client generated from the live schema with
openapi-python-client drives the API over real HTTP, and every answer parses into the generated
model classes. A schema change that breaks generated clients fails here (and so in CI)."""

from __future__ import annotations

import importlib
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from .api_helpers import make_token
from .conftest import skip_or_fail
from .factories import AdministratorFactory, StaffFactory, StatusFactory
from .pdfs import PDF
from .questionnaire_helpers import sized_template

PACKAGE = "kp_generated_client"
# Lines the generator prints when it leaves part of the schema out of the client.
DROPPED = ("Warning", "WARNING", "Unsupported content", "Could not", "Skipping")


@pytest.fixture(scope="module")
def gen(tmp_path_factory):
    """Generates the client once per module from the schema the test settings serve."""
    executable = shutil.which("openapi-python-client") or str(
        Path(sys.executable).with_name("openapi-python-client")
    )
    if not Path(executable).exists():
        skip_or_fail("openapi-python-client is not installed")
    root = tmp_path_factory.mktemp("generated")
    schema = root / "schema.yaml"
    call_command("spectacular", "--file", str(schema), "--validate", "--fail-on-warn")
    env_path = f"{Path(sys.executable).parent}:{Path(executable).parent}"
    result = subprocess.run(  # noqa: S603 - the installed generator on our own schema
        [
            executable,
            "generate",
            "--path",
            str(schema),
            "--output-path",
            str(root / PACKAGE),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        env={"PATH": env_path, "HOME": str(root)},
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    dropped = [line for line in output.splitlines() if line.startswith(DROPPED)]
    assert not dropped, output
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def _api(gen, name):
    return importlib.import_module(f"{PACKAGE}.api.{name}")


def _models(gen):
    return importlib.import_module(f"{PACKAGE}.models")


def _ok(response, model, status=200):
    assert response.status_code == status, response.content
    assert isinstance(response.parsed, model), response.parsed
    return response.parsed


def test_the_integrators_day_through_the_generated_client_R_OFF_6(gen, live_server):
    """R-OFF-6 with R-OFF-1/3/4: staff list → client → dossier with a handler → access →
    document published (multipart) and downloaded (same bytes), and the errors (404, 400) come
    back as the generated problem-details models."""
    m = _models(gen)
    types = importlib.import_module(f"{PACKAGE}.types")
    staff = StaffFactory(email="koppeling@office.test")
    _token, raw = make_token(staff)
    status = StatusFactory(name="In behandeling")
    client = gen.AuthenticatedClient(base_url=live_server.url, token=raw)

    staff_list = _ok(
        _api(gen, "staff.staff_list").sync_detailed(client=client), m.PaginatedStaffList
    )
    handler = next(s for s in staff_list.results if s.email == "koppeling@office.test")
    assert isinstance(handler, m.Staff)

    jan = _ok(
        _api(gen, "clients.clients_create").sync_detailed(
            client=client,
            body=m.ClientCreateRequest(
                kind=m.ClientKindEnum.PERSON, name="Jan de Vries", email="jan@example.test"
            ),
            idempotency_key="client-jan",
        ),
        m.Client,
        201,
    )
    dossier = _ok(
        _api(gen, "dossiers.dossiers_create").sync_detailed(
            client=client,
            body=m.DossierCreateRequest(
                number="2026.0900",
                description="Levering woning",
                status=status.pk,
                handler=handler.id,
            ),
        ),
        m.Dossier,
        201,
    )
    _ok(
        _api(gen, "dossiers.dossiers_grants_create").sync_detailed(
            dossier.id, client=client, body=m.GrantRequest(client=jan.id)
        ),
        m.Grant,
        201,
    )
    document = _ok(
        _api(gen, "documents.documents_create").sync_detailed(
            client=client,
            body=m.DocumentPublishRequest(
                dossier=dossier.id,
                kind=m.PublishedKindEnum.DOCUMENT,
                title="Concept akte",
                file=types.File(payload=io.BytesIO(PDF), file_name="akte.pdf"),
            ),
        ),
        m.Document,
        201,
    )
    downloaded = _ok(
        _api(gen, "documents.documents_download").sync_detailed(document.id, client=client),
        types.File,
    )
    assert downloaded.payload.read().startswith(PDF)  # and the seal after it (R-SIG-1)

    missing = _api(gen, "dossiers.dossiers_retrieve").sync_detailed(999999, client=client)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, m.Problem)
    assert missing.parsed.status == 404

    refused = _api(gen, "dossiers.dossiers_create").sync_detailed(
        client=client,
        body=m.DossierCreateRequest(number="", description="", status=status.pk),
    )
    assert refused.status_code == 400
    assert isinstance(refused.parsed, m.ValidationProblem)


def test_the_integrators_day_continues_steps_messages_requests_webhooks_R_OFF_6(gen, live_server):
    """R-OFF-6 with R-OFF-3/4: an account for the client, steps set and one ticked, a message
    with an attachment, the client's message marked handled, a questionnaire and an upload
    request (R-OFF-5), a list with ``updated_since``, a webhook endpoint created and its secret
    rotated (configuring token), and a problem's title in the language of Accept-Language."""
    import datetime

    from portal.accounts.models import User
    from portal.dossiers.models import Dossier
    from portal.messaging import services as message_services

    m = _models(gen)
    types = importlib.import_module(f"{PACKAGE}.types")
    staff = StaffFactory(email="koppeling@office.test")
    _token, raw = make_token(staff)
    status = StatusFactory(name="In behandeling")
    client = gen.AuthenticatedClient(base_url=live_server.url, token=raw)
    before = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)

    jan = _ok(
        _api(gen, "clients.clients_create").sync_detailed(
            client=client,
            body=m.ClientCreateRequest(
                kind=m.ClientKindEnum.COMPANY, name="De Vries BV", email="jan@example.test"
            ),
        ),
        m.Client,
        201,
    )
    _ok(
        _api(gen, "clients.clients_add_account").sync_detailed(
            jan.id,
            client=client,
            body=m.AccountCreateRequest(email="piet@example.test", full_name="Piet de Vries"),
        ),
        m.Account,
        201,
    )
    dossier = _ok(
        _api(gen, "dossiers.dossiers_create").sync_detailed(
            client=client,
            body=m.DossierCreateRequest(
                number="2026.0901", description="Oprichting", status=status.pk
            ),
        ),
        m.Dossier,
        201,
    )
    _ok(
        _api(gen, "dossiers.dossiers_grants_create").sync_detailed(
            dossier.id, client=client, body=m.GrantRequest(client=jan.id)
        ),
        m.Grant,
        201,
    )
    steps = _ok(
        _api(gen, "dossiers.dossiers_steps_update").sync_detailed(
            dossier.id,
            client=client,
            body=m.StepListRequest(
                steps=[m.StepRequest(title="Stukken"), m.StepRequest(title="Passeren")]
            ),
        ),
        m.StepList,
    )
    assert [s.title for s in steps.steps] == ["Stukken", "Passeren"]
    ticked = _ok(
        _api(gen, "dossiers.dossiers_steps_partial_update").sync_detailed(
            dossier.id, 1, client=client, body=m.PatchedStepDoneRequest(done=True)
        ),
        m.Step,
    )
    assert ticked.done is True

    sent = _ok(
        _api(gen, "dossiers.dossiers_messages_create").sync_detailed(
            dossier.id,
            client=client,
            body=m.MessageWithAttachmentsRequest(
                subject="Concept statuten",
                body="Zie bijlage.",
                files=[types.File(payload=io.BytesIO(PDF), file_name="statuten.pdf")],
            ),
        ),
        m.Message,
        201,
    )
    assert sent.subject == "Concept statuten"

    user = User.objects.get(email="jan@example.test")
    question = message_services.send_message(
        dossier=Dossier.objects.visible_to(user).get(pk=dossier.id),
        sender=user,
        subject="Vraag",
        body="Klopt de datum?",
    )
    handled = _ok(
        _api(gen, "messages.messages_mark_handled").sync_detailed(question.pk, client=client),
        m.Message,
    )
    assert handled.id == question.pk

    template = sized_template(2)
    _ok(
        _api(gen, "questionnaires.questionnaires_create").sync_detailed(
            client=client,
            body=m.QuestionnaireSendRequest(
                template=template.pk, dossier=dossier.id, client=jan.id
            ),
        ),
        m.QuestionnaireDetail,
        201,
    )
    _ok(
        _api(gen, "upload_requests.upload_requests_create").sync_detailed(
            client=client,
            body=m.UploadRequestCreateRequest(
                dossier=dossier.id, client=jan.id, title_nl="Uittreksel KvK"
            ),
        ),
        m.UploadRequest,
        201,
    )

    changed = _ok(
        _api(gen, "dossiers.dossiers_list").sync_detailed(client=client, updated_since=before),
        m.PaginatedDossierList,
    )
    assert [d.id for d in changed.results] == [dossier.id]

    # Webhook endpoints are configuration: an administrator's configuring token.
    _token, config_raw = make_token(AdministratorFactory(), name="Configuratie", may_configure=True)
    config = gen.AuthenticatedClient(base_url=live_server.url, token=config_raw)
    endpoint = _ok(
        _api(gen, "webhook_endpoints.webhook_endpoints_create").sync_detailed(
            client=config, body=m.WebhookEndpointWriteRequest(url="https://hooks.example.test/kp")
        ),
        m.WebhookEndpointSecret,
        201,
    )
    rotated = _ok(
        _api(gen, "webhook_endpoints.webhook_endpoints_rotate_secret").sync_detailed(
            endpoint.id, client=config
        ),
        m.WebhookEndpointSecret,
    )
    assert rotated.secret != endpoint.secret

    english = client.with_headers({"Accept-Language": "en"})
    dutch = client.with_headers({"Accept-Language": "nl"})
    titles = []
    for c in (english, dutch):
        missing = _api(gen, "dossiers.dossiers_retrieve").sync_detailed(999999, client=c)
        assert isinstance(missing.parsed, m.Problem)
        titles.append(missing.parsed.title)
    assert titles[0] != titles[1], titles


def _cursor_of(url):
    from urllib.parse import parse_qs, urlsplit

    return parse_qs(urlsplit(url).query)["cursor"][0] if url else None


def test_the_integrators_day_ends_with_pdf_withdrawal_cancels_paging_webhooks_and_the_feed_R_OFF_6(  # noqa: E501
    gen, live_server
):
    """R-OFF-6 items 1 and 5 with R-OFF-3/5: through the generated client, the completed
    questionnaire's PDF downloads as bytes, a published document is withdrawn, a questionnaire
    and an upload request are cancelled, a list is walked page by page with its cursor, a
    client event reaches a webhook endpoint made through the API (signed), and the changes
    feed, followed from a cursor taken before the day, holds the grant, the step tick and the
    withdrawal, as typed models."""
    import json

    from portal.accounts.models import User
    from portal.messaging import services as message_services
    from portal.questionnaires import services as action_services
    from portal.questionnaires.models import Action
    from portal.questionnaires.tasks import make_questionnaire_pdf

    from .test_webhooks import Receiver, verifies

    m = _models(gen)
    types = importlib.import_module(f"{PACKAGE}.types")
    staff = StaffFactory(email="koppeling@office.test")
    _token, raw = make_token(staff)
    status = StatusFactory(name="In behandeling")
    client = gen.AuthenticatedClient(base_url=live_server.url, token=raw)
    changes_list = _api(gen, "changes.changes_list")

    # Follow the feed from its current end: everything of the day comes after this cursor.
    start = _ok(changes_list.sync_detailed(client=client), m.ChangePage)
    while start.more:
        start = _ok(changes_list.sync_detailed(client=client, cursor=start.cursor), m.ChangePage)

    jan = _ok(
        _api(gen, "clients.clients_create").sync_detailed(
            client=client,
            body=m.ClientCreateRequest(
                kind=m.ClientKindEnum.PERSON, name="Jan Bakker", email="jan@example.test"
            ),
        ),
        m.Client,
        201,
    )
    dossiers = [
        _ok(
            _api(gen, "dossiers.dossiers_create").sync_detailed(
                client=client,
                body=m.DossierCreateRequest(
                    number=f"2026.095{n}", description="Levering", status=status.pk
                ),
            ),
            m.Dossier,
            201,
        )
        for n in range(3)
    ]
    dossier = dossiers[0]
    _ok(
        _api(gen, "dossiers.dossiers_grants_create").sync_detailed(
            dossier.id, client=client, body=m.GrantRequest(client=jan.id)
        ),
        m.Grant,
        201,
    )
    _ok(
        _api(gen, "dossiers.dossiers_steps_update").sync_detailed(
            dossier.id, client=client, body=m.StepListRequest(steps=[m.StepRequest(title="Akte")])
        ),
        m.StepList,
    )
    _ok(
        _api(gen, "dossiers.dossiers_steps_partial_update").sync_detailed(
            dossier.id, 1, client=client, body=m.PatchedStepDoneRequest(done=True)
        ),
        m.Step,
    )

    # A list of three, two to a page: the cursor of `next` gives the rest.
    dossiers_list = _api(gen, "dossiers.dossiers_list")
    first = _ok(dossiers_list.sync_detailed(client=client, page_size=2), m.PaginatedDossierList)
    assert len(first.results) == 2 and first.next_
    second = _ok(
        dossiers_list.sync_detailed(client=client, page_size=2, cursor=_cursor_of(first.next_)),
        m.PaginatedDossierList,
    )
    # Ordered by updated_at: the first dossier (granted, steps set) comes last; none twice.
    walked = [d.id for d in first.results + second.results]
    assert sorted(walked) == [d.id for d in dossiers] and walked[-1] == dossier.id
    assert not second.next_

    # Withdraw a published document: a 204, then it is gone.
    document = _ok(
        _api(gen, "documents.documents_create").sync_detailed(
            client=client,
            body=m.DocumentPublishRequest(
                dossier=dossier.id,
                kind=m.PublishedKindEnum.DOCUMENT,
                title="Verkeerd dossier",
                file=types.File(payload=io.BytesIO(PDF), file_name="fout.pdf"),
            ),
        ),
        m.Document,
        201,
    )
    withdrawn = _api(gen, "documents.documents_withdraw").sync_detailed(document.id, client=client)
    assert withdrawn.status_code == 204
    gone = _api(gen, "documents.documents_retrieve").sync_detailed(document.id, client=client)
    assert gone.status_code == 404 and isinstance(gone.parsed, m.Problem)

    # A questionnaire completed by the client: its PDF downloads as bytes.
    template = sized_template(2)
    completed = _ok(
        _api(gen, "questionnaires.questionnaires_create").sync_detailed(
            client=client,
            body=m.QuestionnaireSendRequest(
                template=template.pk, dossier=dossier.id, client=jan.id
            ),
        ),
        m.QuestionnaireDetail,
        201,
    )
    user = User.objects.get(email="jan@example.test")
    action = Action.objects.get(pk=completed.id)
    for index, page in enumerate(action.pages):
        answers = {question["key"]: "Ja" for question in page["questions"]}
        action = action_services.save_page(
            action=action, index=index, answers=answers, valid=True, version=action.version, by=user
        )
    assert action_services.complete_questionnaire(action=action, version=action.version, by=user)
    if Action.objects.get(pk=action.pk).pdf_document_id is None:
        make_questionnaire_pdf(action.pk)
    pdf = _ok(
        _api(gen, "questionnaires.questionnaires_download_pdf").sync_detailed(
            completed.id, client=client
        ),
        types.File,
    )
    assert pdf.payload.read().startswith(b"%PDF")

    # Cancel an open questionnaire and an open upload request.
    open_questionnaire = _ok(
        _api(gen, "questionnaires.questionnaires_create").sync_detailed(
            client=client,
            body=m.QuestionnaireSendRequest(
                template=template.pk, dossier=dossier.id, client=jan.id
            ),
        ),
        m.QuestionnaireDetail,
        201,
    )
    cancelled = _ok(
        _api(gen, "questionnaires.questionnaires_cancel").sync_detailed(
            open_questionnaire.id, client=client
        ),
        m.Questionnaire,
    )
    assert cancelled.status == m.StatusEnum.CANCELLED
    asked = _ok(
        _api(gen, "upload_requests.upload_requests_create").sync_detailed(
            client=client,
            body=m.UploadRequestCreateRequest(
                dossier=dossier.id, client=jan.id, title_nl="Kopie paspoort"
            ),
        ),
        m.UploadRequest,
        201,
    )
    not_needed = _ok(
        _api(gen, "upload_requests.upload_requests_cancel").sync_detailed(asked.id, client=client),
        m.UploadRequest,
    )
    assert not_needed.status == m.StatusEnum.CANCELLED

    # A webhook endpoint made through the API receives the client's message, signed.
    _token, config_raw = make_token(AdministratorFactory(), name="Configuratie", may_configure=True)
    config = gen.AuthenticatedClient(base_url=live_server.url, token=config_raw)
    with Receiver([200]) as receiver:
        endpoint = _ok(
            _api(gen, "webhook_endpoints.webhook_endpoints_create").sync_detailed(
                client=config,
                body=m.WebhookEndpointWriteRequest(
                    url=receiver.url, events=[m.EventsEnum.MESSAGE_SENT]
                ),
            ),
            m.WebhookEndpointSecret,
            201,
        )
        message_services.send_message(
            dossier=dossier_for(user, dossier.id), sender=user, subject="Vraag", body="Wanneer?"
        )
    assert len(receiver.received) == 1
    headers, body = receiver.received[0]
    assert verifies(endpoint.secret, body, headers)
    assert json.loads(body)["event"] == "message.sent"

    # The feed from the cursor taken at the start: the day, in order, as typed changes.
    changes = []
    cursor = start.cursor
    while True:
        page = _ok(changes_list.sync_detailed(client=client, cursor=cursor), m.ChangePage)
        changes += page.results
        cursor = page.cursor
        if not page.more:
            break
    assert all(isinstance(change, m.Change) for change in changes)
    seen = [(str(c.resource.value), c.object_id, str(c.action.value)) for c in changes]
    step_id = dossier_step_id(dossier.id)
    for expected in [
        ("access", jan.id, "created"),
        ("step", step_id, "updated"),
        ("document", document.id, "deleted"),
        ("questionnaire", open_questionnaire.id, "updated"),
        ("upload_request", asked.id, "updated"),
    ]:
        assert expected in seen, (expected, seen)
    ids = [c.id for c in changes]
    assert ids == sorted(ids)
    empty = _ok(changes_list.sync_detailed(client=client, cursor=cursor), m.ChangePage)
    assert empty.results == [] and empty.more is False


def dossier_for(user, pk):
    from portal.dossiers.models import Dossier

    return Dossier.objects.visible_to(user).get(pk=pk)


def dossier_step_id(pk):
    from portal.dossiers.models import ProgressStep

    return ProgressStep.objects.get(dossier_id=pk, position=1).pk
