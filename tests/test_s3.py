"""Private files in S3-compatible object storage (issue 3, item 6), against moto's server mode on
loopback: the settings' S3 block, objects stored privately under a random name, read back,
and only short-lived signed URLs."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from storages.backends.s3 import S3Storage

from portal.documents.models import Document, DocumentRead
from portal.documents.services import publish_document
from portal.settings import s3_storage

from .factories import DossierFactory, StaffFactory, grant
from .pdfs import minimal_pdf
from .s3 import PUBLIC_GRANTEES, MotoS3, moto_s3

S3_VARIABLES = [
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_ADDRESSING_STYLE",
    "S3_URL_EXPIRE_SECONDS",
    "S3_SSE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
]
STORAGE_NAME = re.compile(r"office-[0-9]+/documents/[0-9a-f]{32}")


@pytest.fixture
def s3_env(monkeypatch):
    """Set the S3 variables to exactly ``values`` (the others unset)."""

    def _set(values: dict[str, str]) -> None:
        for name in S3_VARIABLES:
            monkeypatch.delenv(name, raising=False)
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return _set


@pytest.fixture(scope="module")
def s3() -> Iterator[MotoS3]:
    with moto_s3() as server:
        yield server


@pytest.fixture
def bucket(s3, s3_env, settings) -> str:
    """A fresh bucket, and Django's default storage configured for it by the settings' S3
    block (as in production, with S3_SSE=1)."""
    name = s3.create_bucket()
    s3_env(s3.env(name, S3_SSE="1"))
    # Settings that would make files public if the block did not pin its options.
    settings.AWS_DEFAULT_ACL = "public-read"
    settings.AWS_S3_CUSTOM_DOMAIN = "cdn.example.test"
    # Changing STORAGES resets django.core.files.storage.default_storage (setting_changed).
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage()}
    return name


def make_document(content: bytes) -> Document:
    return Document.objects.create(
        dossier=DossierFactory(),
        kind=Document.Kind.DOCUMENT,
        title="Concept akte",
        original_name="concept akte.pdf",
        size=len(content),
        content_type="application/pdf",
        sha256=hashlib.sha256(content).hexdigest(),
        file=ContentFile(content, name="concept akte.pdf"),
    )


# --- The settings' S3 block ---------------------------------------------------------------


def test_s3_options_from_environment_issue_8(s3_env):
    s3_env(
        {
            "S3_BUCKET": "kantoor-dossiers",
            "S3_ENDPOINT_URL": "https://s3.nl-ams.scw.cloud",
            "S3_REGION": "nl-ams",
            "S3_ADDRESSING_STYLE": "virtual",
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
            "AWS_SECRET_ACCESS_KEY": "example-secret",
        }
    )
    storage = s3_storage()
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "kantoor-dossiers"
    assert options["endpoint_url"] == "https://s3.nl-ams.scw.cloud"
    assert options["region_name"] == "nl-ams"
    assert options["addressing_style"] == "virtual"
    assert options["access_key"] == "AKIDEXAMPLE"
    assert options["secret_key"] == "example-secret"
    # Never public, signed short-lived URLs, no overwriting.
    assert options["default_acl"] is None
    assert options["custom_domain"] is None
    assert options["querystring_auth"] is True
    assert options["querystring_expire"] == 60
    assert options["file_overwrite"] is False
    assert options["object_parameters"] == {}
    # Every option is one S3Storage accepts.
    S3Storage(**options)


def test_s3_options_minimal_and_encrypted_issue_8(s3_env):
    s3_env({"S3_BUCKET": "b", "S3_SSE": "1", "S3_URL_EXPIRE_SECONDS": "30"})
    options = s3_storage()["OPTIONS"]
    assert options["object_parameters"] == {"ServerSideEncryption": "AES256"}
    assert options["querystring_expire"] == 30
    # No keys given: boto's default chain (profile, instance role …) finds them.
    assert "access_key" not in options
    assert "secret_key" not in options
    assert options["endpoint_url"] is None
    assert options["region_name"] is None
    assert options["addressing_style"] is None


@pytest.mark.parametrize(
    "values",
    [
        {"S3_URL_EXPIRE_SECONDS": "0"},
        {"S3_URL_EXPIRE_SECONDS": "86400"},
        {"S3_URL_EXPIRE_SECONDS": "soon"},
        {"S3_ADDRESSING_STYLE": "dns"},
        {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE"},
    ],
)
def test_s3_options_refuse_bad_values_issue_8(s3_env, values):
    s3_env({"S3_BUCKET": "b", **values})
    with pytest.raises(ImproperlyConfigured):
        s3_storage()


def test_s3_bucket_switches_default_storage_issue_8(tmp_path):
    """The block is applied when the settings module loads with S3_BUCKET set."""
    env = {k: v for k, v in os.environ.items() if k not in S3_VARIABLES}
    env.update(S3_BUCKET="kantoor-dossiers", SECRET_KEY="x", VAR_DIR=str(tmp_path))
    src = Path(__file__).resolve().parent.parent / "src"
    code = "import portal.settings as s; print(s.STORAGES['default']['BACKEND'])"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        env={**env, "PYTHONPATH": str(src)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "storages.backends.s3.S3Storage"


# --- Against moto's S3 server -------------------------------------------------------------


@pytest.mark.django_db
def test_document_is_stored_privately_in_the_bucket_issue_8(s3, bucket, settings):
    content = os.urandom(3 * 1024 * 1024) + b"end"  # above the 2 MiB in-memory spool
    document = make_document(content)

    assert isinstance(document.file.storage, S3Storage)
    assert STORAGE_NAME.fullmatch(document.file.name)
    assert not (Path(settings.MEDIA_ROOT) / document.file.name).exists()

    client = s3.client()
    head = client.head_object(Bucket=bucket, Key=document.file.name)
    assert head["ContentLength"] == len(content)
    assert head["ServerSideEncryption"] == "AES256"
    keys = [o["Key"] for o in client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert keys == [document.file.name]  # nothing under the user's file name

    grants = client.get_object_acl(Bucket=bucket, Key=document.file.name)["Grants"]
    assert grants, "moto reports the owner's grant"
    assert not [g for g in grants if g["Grantee"].get("URI") in PUBLIC_GRANTEES]
    grants = client.get_bucket_acl(Bucket=bucket)["Grants"]
    assert not [g for g in grants if g["Grantee"].get("URI") in PUBLIC_GRANTEES]

    stored = Document.objects.get(pk=document.pk)
    with stored.file.open("rb") as f:
        read_back = b"".join(f.chunks(64 * 1024))
    assert read_back == content


@pytest.mark.django_db
def test_download_url_is_signed_and_expires_issue_8(s3, bucket):
    content = b"%PDF-1.7\nConcept akte\n"
    document = make_document(content)

    url = document.file.url
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == s3.endpoint_url  # not the custom domain
    assert parts.path == f"/{bucket}/{document.file.name}"
    query = parse_qs(parts.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["60"]
    assert query["X-Amz-Signature"]

    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=5) as response:
        assert response.read() == content


@pytest.mark.django_db
def test_publish_list_and_download_through_s3_issue_8(s3, bucket, client, person, run):
    dossier = DossierFactory()
    grant(dossier, person.client)
    content = minimal_pdf(os.urandom(150 * 1024).hex())  # 300 KB, sealed when published
    document = run(
        publish_document,
        dossier=dossier,
        kind=Document.Kind.DOCUMENT,
        title="Concept akte",
        file=ContentFile(content, name="Concept akte.pdf"),
        by=StaffFactory(),
    )
    head = s3.client().head_object(Bucket=bucket, Key=document.file.name)
    assert STORAGE_NAME.fullmatch(document.file.name)
    assert head["ContentLength"] == document.size > len(content)

    client.force_login(person)
    download_url = f"/dossiers/{dossier.pk}/documenten/{document.pk}/download/"
    page = client.get(f"/dossiers/{dossier.pk}/documenten/")
    assert page.status_code == 200
    assert "Concept akte" in page.text
    assert download_url in page.text

    response = client.get(download_url)
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Disposition"].startswith("attachment")
    downloaded = b"".join(response.streaming_content)
    assert downloaded.startswith(content) and len(downloaded) == document.size
    assert DocumentRead.objects.filter(document=document, user=person).exists()
