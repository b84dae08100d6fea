"""The language of the API's messages (R-OFF-6): the caller's ``Accept-Language``, Dutch when it
names no language the portal speaks.

The portal's pages ignore Accept-Language on purpose (``UserLanguageMiddleware``: a person
chooses a language once, and it is stored). An integration has no stored choice and no language
cookie, so the API follows the header of each call; the pages are not affected."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header


def api_language(request: HttpRequest) -> str:
    """The first language of ``Accept-Language`` (in order of preference) the portal speaks;
    else the default (Dutch). ``en-GB`` counts as ``en``; ``*`` as the default."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def activate_api_language(request: HttpRequest) -> str:
    """Speak the caller's language for the rest of this request; the code chosen."""
    language = api_language(request)
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language
