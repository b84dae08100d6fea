"""The API's error format (R-OFF-6): RFC 9457 problem details, checked in one place."""

from __future__ import annotations

PROBLEM_KEYS = {"type", "title", "status", "detail"}


def problem(response, status: int, kind: str | None = None) -> dict:
    """The problem-details body of ``response``: ``application/problem+json`` with ``type``,
    ``title``, ``status`` (= the HTTP status), ``detail``, and ``errors`` exactly on a 400;
    ``kind`` is the end of the type URI (``invalid``, ``not-found``, …)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == "application/problem+json", response["Content-Type"]
    body = response.json()
    expected = PROBLEM_KEYS | ({"errors"} if status == 400 else set())
    assert set(body) == expected, body
    assert body["status"] == status
    assert body["type"].startswith("urn:klantportaal:problem:")
    if kind is not None:
        assert body["type"] == f"urn:klantportaal:problem:{kind}", body
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    if status == 400:
        errors = body["errors"]
        assert all(isinstance(m, list) and m for m in errors.values()), errors
        assert all(isinstance(text, str) for m in errors.values() for text in m), errors
    return body
