"""The rows of the long tables are Jinja2 templates (``*/jinja2/*/_…html``, included by
``{% jinja %}``): what a row shows, escaped, in both languages."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.utils import translation

EVIL = "<script>alert('x')</script> & \"quotes\""
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &#34;quotes&#34;"
# 07:05 UTC is 09:05 in Amsterdam; October's short name differs between the languages.
WHEN = datetime(2024, 10, 3, 7, 5, tzinfo=UTC)
DAY = {"nl": "3 Okt 2024", "en": "3 Oct 2024"}


def render(source: str, **context) -> str:
    return Template("{% load jinja %}" + source).render(Context(context))


def rows(html: str, tag: str = "tr") -> list[str]:
    return re.findall(rf"<{tag}\b.*?</{tag}>", html, re.S)


def document(pk, title, name, is_read):
    return SimpleNamespace(
        pk=pk,
        title=title,
        original_name=name,
        is_read=is_read,
        type_label="PDF",
        size=1_234_567,
        created_at=WHEN,
    )


@pytest.mark.parametrize("language", ["nl", "en"])
def test_document_rows_R_DOC_2_R_DOC_4(language):
    """A document row: the date in the page's language and time zone, the unread badge only
    on unread rows, the original file name when it differs from the title, the download link,
    every value escaped."""
    page = [document(1, EVIL, "akte.pdf", False), document(22, "Akte", "Akte", True)]
    with translation.override(language):
        html = render(
            '{% jinja "documents/_document_rows.html" page=page dossier=dossier %}',
            page=page,
            dossier=SimpleNamespace(pk=7),
        )
    unread, read = rows(html)
    assert 'class="is-unread"' in unread and 'class="is-read"' in read
    assert f"<td>{DAY[language]}</td>" in unread
    badge = {"nl": "Nieuw", "en": "New"}[language]
    assert f'<span class="unread-badge">{badge}</span>' in unread
    assert "unread-badge" not in read
    assert "<script>" not in html and ESCAPED in unread
    assert '<span class="muted">akte.pdf</span>' in unread and "muted" not in read
    assert (
        '<a class="download-link" href="/dossiers/7/documenten/22/download/" download>'
        'Download<span class="visually-hidden"> Akte</span></a>'
    ) in read
    assert {"nl": "<td>1,2\xa0MB</td>", "en": "<td>1.2\xa0MB</td>"}[language] in read


@pytest.mark.parametrize("language", ["nl", "en"])
def test_message_rows_R_MSG_1(language):
    """A message row: direction, unread badge, link, sender (the office, the author, or
    "you"), date and time, the number of files (plural)."""
    office = SimpleNamespace(name="Notariaat <De Linde> & Co")

    def message(pk, incoming, is_read, count, author):
        return SimpleNamespace(
            pk=pk,
            subject=EVIL,
            is_incoming=incoming,
            is_read=is_read,
            attachment_count=count,
            author=author,
            created_at=WHEN,
        )

    page = [message(1, True, False, 0, None), message(2, False, True, 3, None)]
    with translation.override(language):
        html = render(
            '{% jinja "messaging/_message_rows.html" page=page dossier=dossier office=office %}',
            page=page,
            dossier=SimpleNamespace(pk=7),
            office=office,
        )
    incoming, outgoing = rows(html)
    assert "is-unread is-incoming" in incoming and "is-read is-outgoing" in outgoing
    assert 'href="/dossiers/7/berichten/1/"' in incoming
    assert "Notariaat &lt;De Linde&gt; &amp; Co" in incoming
    you, files = {"nl": ("u", "3 bestanden"), "en": ("you", "3 files")}[language]
    assert f'<span class="muted">{you}</span>' in outgoing and files in outgoing
    assert f"<td>{DAY[language]} 09:05</td>" in incoming
    assert "unread-badge" in incoming and "unread-badge" not in outgoing
    assert "<script>" not in html and ESCAPED in incoming


@pytest.mark.parametrize("language", ["nl", "en"])
def test_tabs_steps_dossiers_and_actions_R_DOS_1_R_DOS_4_R_DOS_5_R_HOME_3(language):
    dossier = SimpleNamespace(pk=7, number="2024.7<b>", description=EVIL)
    dossier.status = SimpleNamespace(label="Lopend")
    with translation.override(language):
        html = render(
            '<ol>{% jinja "dossiers/_step_items.html" steps=steps %}</ol>'
            '<ul>{% jinja "dossiers/_tab_items.html" tabs=tabs dossier=dossier active="b" %}</ul>'
            '<table>{% jinja "dossiers/_dossier_rows.html" page=page %}</table>'
            '<ul>{% jinja "questionnaires/_action_items.html" actions=actions %}</ul>',
            steps=[SimpleNamespace(title=EVIL, done=True), SimpleNamespace(title="B", done=False)],
            tabs=[
                {"slug": "a", "label": "Stukken", "total": 9, "unread": 0},
                {"slug": "b", "label": "Berichten", "total": 3, "unread": 2},
            ],
            dossier=dossier,
            page=[dossier],
            actions=[
                SimpleNamespace(pk=3, kind="upload", title="Paspoort", dossier=dossier),
                SimpleNamespace(pk=4, kind="questionnaire", title="Vragen", dossier=dossier),
            ],
        )
    done, not_done = {"nl": ("afgerond", "nog niet afgerond"), "en": ("done", "not done yet")}[
        language
    ]
    assert f'<span class="visually-hidden">({done})</span>' in html
    assert f'<span class="visually-hidden">({not_done})</span>' in html
    unread = {"nl": "2 ongelezen", "en": "2 unread"}[language]
    assert (
        f'<a href="/dossiers/7/b/" aria-current="page">Berichten <span class="tab-count">(3)'
        f'</span> <span class="tab-unread" title="{unread}">2'
    ) in html
    assert '<a href="/dossiers/7/a/">Stukken' in html
    assert '<a href="/dossiers/7/">' in html and "2024.7&lt;b&gt;" in html
    assert 'href="/acties/3/uploaden/"' in html and 'href="/acties/4/invullen/"' in html
    assert "<script>" not in html and ESCAPED in html


@pytest.mark.parametrize("language", ["nl", "en"])
def test_inbox_rows_R_OFF_4(language):
    """The staff inbox's rows: links into the workspace, the CSRF field in each form, the
    author or a dash, escaped subjects and names."""
    dossier = SimpleNamespace(number=f"2024.7 {EVIL}")
    message_items = [
        SimpleNamespace(
            pk=11, dossier_id=3, dossier=dossier, author=None, subject=EVIL, created_at=WHEN
        )
    ]
    files = [
        SimpleNamespace(
            pk=21,
            dossier_id=4,
            dossier=dossier,
            uploaded_by="Jan",
            original_name=EVIL,
            created_at=WHEN,
        )
    ]
    actions = [
        SimpleNamespace(
            pk=pk,
            kind=kind,
            title=EVIL,
            client=SimpleNamespace(name="Klant"),
            dossier_id=5,
            dossier=dossier,
            completed_at=WHEN,
        )
        for pk, kind in ((31, "questionnaire"), (32, "upload"))
    ]
    with translation.override(language):
        html = render(
            '{% jinja "workspace/_inbox_message_rows.html" message_items=m %}'
            '{% jinja "workspace/_inbox_file_rows.html" files=f %}'
            '{% include "workspace/_inbox_actions.html" with kind="upload" %}',
            m=message_items,
            f=files,
            actions=actions,
            csrf_token="tok<en>",
        )
    field = '<input type="hidden" name="csrfmiddlewaretoken" value="tok&lt;en&gt;">'
    assert html.count(field) == 3
    assert f"<td>{DAY[language]} 09:05</td>" in html
    assert "<td>—</td>" in html and "<td>Jan</td>" in html
    assert 'href="/kantoor/dossiers/3/berichten/11/"' in html
    assert 'action="/kantoor/acties/32/afgehandeld/"' in html and "/31/" not in html
    assert "<script>" not in html and ESCAPED in html


@pytest.mark.django_db
def test_csrf_field_only_where_a_row_has_a_form_R_OFF_4_R_DOS_5():
    """The CSRF token is taken (and the response sets its cookie) only by a row template with
    a form: the inbox's rows carry the field, a client's progress steps do not ask for it."""
    steps = [SimpleNamespace(title="Concept", done=True)]
    request = RequestFactory().get("/")
    html = Template('{% load jinja %}{% jinja "dossiers/_step_items.html" steps=steps %}').render(
        RequestContext(request, {"steps": steps})
    )
    assert "Concept" in html and "CSRF_COOKIE" not in request.META
    files = [
        SimpleNamespace(
            pk=1,
            dossier_id=2,
            dossier=SimpleNamespace(number="2024.2"),
            uploaded_by=None,
            original_name="akte.pdf",
            created_at=WHEN,
        )
    ]
    html = Template('{% load jinja %}{% jinja "workspace/_inbox_file_rows.html" files=f %}').render(
        RequestContext(request, {"f": files})
    )
    assert request.META["CSRF_COOKIE"]
    assert re.search(r'<input type="hidden" name="csrfmiddlewaretoken" value="\w{64}">', html)
