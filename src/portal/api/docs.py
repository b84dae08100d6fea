"""Who may read the API's schema and its docs page (R-OFF-6, ASVS V13.4): a caller with a
valid API token, or a staff member signed in to the portal whose session passed the second
factor (the workspace's own gate). ``API_DOCS_PUBLIC=1`` opens both to anyone.

The schema names every operation and field of the API; it is not secret, but it need not be
handed to whoever asks. Without a token or a staff session the schema answers 401; a browser
opening the docs page without a session is sent to the login page and back; a client's
session gets 403."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http.response import HttpResponseBase
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.views import APIView

from .authentication import ApiTokenAuthentication
from .language import activate_api_language
from .permissions import StaffOrToken


class _DocsAccess(APIView):
    # The token first: a wrong token is a 401 even in a browser with a session. The session
    # class is DRF's (GET only here, so its CSRF check never applies).
    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [StaffOrToken]


class SchemaView(_DocsAccess, SpectacularAPIView):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Its refusals in the caller's language, like the API's (the schema is in English).
        activate_api_language(request._request)
        super().initial(request, *args, **kwargs)


class DocsView(_DocsAccess, SpectacularSwaggerSplitView):
    # May answer with a redirect, not a DRF Response (the stub's return type); DRF passes it on.
    def handle_exception(self, exc: Exception) -> HttpResponseBase:  # type: ignore[override]
        request = self.request
        if isinstance(exc, NotAuthenticated) and "HTTP_AUTHORIZATION" not in request.META:
            # A person's browser without a session: the login page, then back here.
            return redirect_to_login(request.get_full_path())
        return super().handle_exception(exc)
