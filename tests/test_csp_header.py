"""The Content-Security-Policy header (issue 8, ASVS V3) is built once per process
(portal.middleware.ContentSecurityPolicyMiddleware) and is exactly what django-csp builds for
each response: the settings' policy with the request's nonce, or without one."""

from __future__ import annotations

import pytest
from csp import utils as csp_utils
from csp.utils import build_policy

from portal import middleware


@pytest.fixture
def counted(monkeypatch):
    calls = []

    def build(*args, **kwargs):
        calls.append(kwargs)
        return csp_utils.build_policy(*args, **kwargs)

    monkeypatch.setattr(middleware, "build_policy", build)
    middleware._policies.clear()
    return calls


def test_the_header_is_django_csps_policy_built_once_issue_8(client, db, counted):
    pages = [client.get("/inloggen/") for _ in range(3)]
    for response in pages:
        header = response["Content-Security-Policy"]
        nonce = header.split("'nonce-")[1].split("'")[0]
        assert nonce and nonce in response.content.decode()
        assert header == build_policy(nonce=nonce)
    assert len({response["Content-Security-Policy"] for response in pages}) == 3  # own nonces
    for _ in range(3):
        assert client.get("/health/live/")["Content-Security-Policy"] == build_policy()
    assert len(counted) == 2  # once with a nonce, once without


def test_a_changed_policy_is_built_again_issue_8(client, db, settings, counted):
    client.get("/health/live/")
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/health/live/")["Content-Security-Policy"] == "default-src 'none'"
