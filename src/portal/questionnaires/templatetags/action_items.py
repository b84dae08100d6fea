"""The open actions as list items (R-HOME-3, R-Q-1), built in Python: the bar on every
client page and the list of actions showed them through an include per action. The same HTML
as ``questionnaires/_action_item.html`` (tests/test_client_tables.py compares them), every
value through ``format_html``."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from portal.rows import UrlPattern

register = template.Library()

UPLOAD_ITEM = """<li>
  <span><span class="muted">{}:</span> {} <span class="muted">· {} {}</span></span>
  <a class="button button-small" href="{}">{}<span class="visually-hidden"> {}</span></a>
</li>
"""
QUESTIONNAIRE_ITEM = """<li>
  <span>{} <span class="muted">· {} {}</span></span>
  <a class="button button-small" href="{}">{}<span class="visually-hidden"> {}</span></a>
</li>
"""


@register.simple_tag
def action_items(actions) -> str:
    upload_url, resume_url = (
        UrlPattern("questionnaires:upload"),
        UrlPattern("questionnaires:resume"),
    )
    upload_label, upload, fill_in = gettext("Upload request"), gettext("Upload"), gettext("Fill in")
    items = []
    for action in actions:
        title, dossier = action.title, action.dossier
        if action.kind == "upload":
            items.append(
                format_html(
                    UPLOAD_ITEM,
                    upload_label,
                    title,
                    dossier.number,
                    dossier.description,
                    upload_url.url(action.pk),
                    upload,
                    title,
                )
            )
        else:
            items.append(
                format_html(
                    QUESTIONNAIRE_ITEM,
                    title,
                    dossier.number,
                    dossier.description,
                    resume_url.url(action.pk),
                    fill_in,
                    title,
                )
            )
    return format_html_join("", "{}", ((item,) for item in items))
