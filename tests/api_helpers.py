"""Helpers of the API tests (R-OFF-6): a token for the office and a client that sends it."""

from __future__ import annotations

from django.test import Client as HttpClient

from portal.integrations.models import ApiToken
from portal.offices.models import Office


def make_token(
    acting_user, *, name: str = "Dossierbeheer", office=None, may_configure: bool = False
) -> tuple[ApiToken, str]:
    token = ApiToken(
        office=office or Office.current(),
        name=name,
        acting_user=acting_user,
        may_configure=may_configure,
    )
    raw = token.issue()
    token.save()
    return token, raw


class Api:
    """Calls the API with ``Authorization: Bearer <raw>``."""

    def __init__(self, raw: str | None):
        self.http = HttpClient()
        self.raw = raw

    def _headers(self, headers):
        headers = dict(headers or {})
        if self.raw is not None:
            headers.setdefault("Authorization", f"Bearer {self.raw}")
        return headers

    def get(self, path, data=None, headers=None):
        return self.http.get(path, data, headers=self._headers(headers))

    def post(self, path, data=None, headers=None, multipart=False):
        if multipart:
            return self.http.post(path, data, headers=self._headers(headers))
        return self.http.post(
            path, data or {}, content_type="application/json", headers=self._headers(headers)
        )

    def patch(self, path, data, headers=None):
        return self.http.patch(
            path, data, content_type="application/json", headers=self._headers(headers)
        )

    def put(self, path, data, headers=None):
        return self.http.put(
            path, data, content_type="application/json", headers=self._headers(headers)
        )

    def delete(self, path, headers=None):
        return self.http.delete(path, headers=self._headers(headers))
