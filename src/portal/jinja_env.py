"""The Jinja2 environment of the client's and the workspace's long tables (settings.TEMPLATES,
backend ``jinja2``; templates in each app's ``jinja2/`` folder), and ``{% jinja %}``, which
includes such a template in a Django template.

Jinja2 compiles a template to Python code, so a row costs a few attribute lookups and escapes
instead of the Django engine's node walk per cell (bench/templates.py measures both).
Autoescape is on for every template (markupsafe's escape: ``'`` and ``"`` become ``&#39;`` and
``&#34;`` where Django writes ``&#x27;`` and ``&quot;``; the same HTML). The translations are
Django's own (``gettext``/``ngettext`` of the active language); ``manage.py makemessages``
extracts them from these templates too (``portal.maintenance.management.commands``).
"""

from __future__ import annotations

from functools import cache, partial
from typing import cast

from django import template
from django.template import engines
from django.template.backends.jinja2 import Jinja2
from django.template.defaultfilters import date as django_date
from django.template.defaultfilters import filesizeformat
from django.template.defaulttags import CsrfTokenNode
from django.templatetags.static import static
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs
from django.utils.translation import gettext, ngettext, npgettext, pgettext
from jinja2 import Environment

from portal import rows

_patterns: dict[tuple, rows.UrlPattern] = {}


def url(name: str, *args) -> str:
    """``{% url name arg … %}``. With integer arguments only (a row's ids) the name is reversed
    once per process and the ids filled in (``rows.UrlPattern``): the same text for a
    fraction of the cost of a ``reverse()`` per row. (One URLconf and one script prefix serve
    every request of a process.)"""
    for arg in args:
        if type(arg) is not int:
            return reverse(name, args=args)
    key = (name, len(args))
    pattern = _patterns.get(key)
    if pattern is None:
        pattern = _patterns[key] = rows.UrlPattern(name, variable=len(args))
    return pattern.url(*args)


_SHORT = {"j M Y": rows.day, "j M Y H:i": rows.minute}


def date(value, arg: str) -> str:
    """``value|date:arg``: the value in the current time zone, as Django's filter shows it (the
    two formats of the tables without the general formatter)."""
    short = _SHORT.get(arg)
    if short is not None:
        return short(value)
    return django_date(template_localtime(value), arg)


def environment(**options) -> Environment:
    options["autoescape"] = True
    options.setdefault("extensions", []).append("jinja2.ext.i18n")
    env = Environment(**options)  # noqa: S701 - autoescape is set just above
    # Old-style callables: ``_()`` gives a plain string, escaped on output as
    # ``{% translate %}`` escapes it.
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        gettext, ngettext, pgettext=pgettext, npgettext=npgettext
    )
    env.globals.update(url=url, static=static)
    # Django's filesizeformat, not Jinja2's (another text: "1,2 MB" against "1.2 MB").
    env.filters.update(date=date, filesizeformat=filesizeformat)
    return env


register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str, **values) -> str:
    """``{% jinja "app/_rows.html" name=value … %}``: the Jinja2 template rendered with these
    values (and ``csrf_input``, the hidden field of ``{% csrf_token %}``), in this place of a
    Django template. Jinja2 escapes what it writes, so its output is marked safe here."""
    # Lazy: asking for the token makes the response set the CSRF cookie, which only a template
    # with a form should cause. Rendered once: a row template writes it in every row.
    field = cache(partial(CsrfTokenNode().render, context))
    values["csrf_input"] = lazy(field, SafeString)()
    jinja_template = cast(Jinja2, engines["jinja2"]).env.get_template(template_name)
    return mark_safe(jinja_template.render(values))  # noqa: S308 - escaped by Jinja2
