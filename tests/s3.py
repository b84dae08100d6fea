"""An S3 endpoint for tests: moto's server in a thread, listening on loopback only, and the
environment that points ``portal.settings.s3_storage`` at a bucket in it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
from moto.server import ThreadedMotoServer

REGION = "us-east-1"
# Dummy credentials: moto accepts any; never real ones.
ACCESS_KEY = "testing-access-key"
SECRET_KEY = "testing-secret-key"
PUBLIC_GRANTEES = {
    "http://acs.amazonaws.com/groups/global/AllUsers",
    "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
}


@dataclass(frozen=True)
class MotoS3:
    endpoint_url: str

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def create_bucket(self) -> str:
        """A new, empty bucket (each test its own, so tests share nothing)."""
        name = f"klantportaal-test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def env(self, bucket: str, **extra: str) -> dict[str, str]:
        """The environment variables of the settings' S3 block for ``bucket``."""
        return {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": self.endpoint_url,
            "S3_REGION": REGION,
            "S3_ADDRESSING_STYLE": "path",
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            **extra,
        }


@contextmanager
def moto_s3() -> Iterator[MotoS3]:
    """moto's S3 in server mode on 127.0.0.1, on a port the system picks."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        assert host == "127.0.0.1"
        yield MotoS3(endpoint_url=f"http://{host}:{port}")
    finally:
        server.stop()
