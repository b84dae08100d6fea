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
from .questionnaire_helpers import sized_template

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
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
    assert downloaded.payload.read() == PDF

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
