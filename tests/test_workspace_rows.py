"""The staff inbox's rows are built in Python (issue 9, ``workspace/templatetags/inbox.py``): the
same HTML as the template loops they replace, whitespace aside, escaping included."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from .test_client_tables import EVIL, same

OLD_MESSAGES = """{% load i18n %}{% for m in message_items %}
  <tr>
    <td>{{ m.created_at|date:"j M Y H:i" }}</td>
    <td><a href="{% url 'workspace:dossier' m.dossier_id %}">{{ m.dossier.number }}</a></td>
    <td>{{ m.author|default:"—" }}</td>
    <th scope="row"><a href="{% url 'workspace:message' m.dossier_id m.pk %}">{{ m.subject }}</a></th>
    <td class="ws-row-actions">
      <a class="button button-small" href="{% url 'workspace:message' m.dossier_id m.pk %}">{% translate "Answer" %}</a>
      <form method="post" action="{% url 'workspace:message_handled' m.pk %}" class="inline-form">{% csrf_token %}<button type="submit" class="button button-small button-secondary">{% translate "Mark handled" %}<span class="visually-hidden">: {{ m.subject }}</span></button></form>
    </td>
  </tr>
  {% endfor %}"""  # noqa: E501

OLD_FILES = """{% load i18n %}{% for d in files %}
  <tr>
    <td>{{ d.created_at|date:"j M Y H:i" }}</td>
    <td><a href="{% url 'workspace:dossier' d.dossier_id %}">{{ d.dossier.number }}</a></td>
    <td>{{ d.uploaded_by|default:"—" }}</td>
    <th scope="row"><a href="{% url 'workspace:download' d.pk %}">{{ d.original_name }}</a></th>
    <td class="ws-row-actions"><form method="post" action="{% url 'workspace:document_seen' d.pk %}" class="inline-form">{% csrf_token %}<button type="submit" class="button button-small button-secondary">{% translate "Mark seen" %}<span class="visually-hidden">: {{ d.original_name }}</span></button></form></td>
  </tr>
  {% endfor %}"""  # noqa: E501

OLD_ACTIONS = """{% load i18n %}<ul class="ws-list">
{% for a in actions %}{% if a.kind == kind %}
  <li>
    <a href="{% url 'workspace:action' a.pk %}">{{ a.title }}</a>
    <span class="muted">— {{ a.client.name }}, <a href="{% url 'workspace:dossier' a.dossier_id %}">{{ a.dossier.number }}</a>, {{ a.completed_at|date:"j M Y H:i" }}</span>
    <form method="post" action="{% url 'workspace:action_handled' a.pk %}" class="inline-form">{% csrf_token %}<button type="submit" class="button button-small button-secondary">{% translate "Mark handled" %}<span class="visually-hidden">: {{ a.title }}</span></button></form>
  </li>
{% endif %}{% endfor %}
</ul>"""  # noqa: E501


class Person(SimpleNamespace):
    def __str__(self) -> str:
        return self.name


WHEN = datetime(2024, 12, 31, 23, 15, tzinfo=UTC)


def rows():
    dossier = SimpleNamespace(number=f"2024.7 {EVIL}")
    messages = [
        SimpleNamespace(
            pk=pk, dossier_id=3, dossier=dossier, author=author, subject=EVIL, created_at=WHEN
        )
        for pk, author in ((11, Person(name=EVIL)), (12, None))
    ]
    files = [
        SimpleNamespace(
            pk=pk,
            dossier_id=4,
            dossier=dossier,
            uploaded_by=by,
            original_name=EVIL,
            created_at=WHEN,
        )
        for pk, by in ((21, Person(name="Jan")), (22, None))
    ]
    actions = [
        SimpleNamespace(
            pk=pk,
            kind=kind,
            title=EVIL,
            client=SimpleNamespace(name=EVIL),
            dossier_id=5,
            dossier=dossier,
            completed_at=when,
        )
        for pk, kind, when in (
            (31, "questionnaire", WHEN),
            (32, "upload", WHEN),
            (33, "upload", None),
        )
    ]
    return {"message_items": messages, "files": files, "actions": actions}


@pytest.mark.parametrize("language", ["nl", "en"])
def test_inbox_rows_are_the_html_of_the_template_loops_R_OFF_4(language):
    context = {**rows(), "csrf_token": "tok<en>"}
    cases = [
        (OLD_MESSAGES, "{% load inbox %}{% inbox_message_rows message_items %}", {}),
        (OLD_FILES, "{% load inbox %}{% inbox_file_rows files %}", {}),
        (OLD_ACTIONS, "{% include 'workspace/_inbox_actions.html' %}", {"kind": "upload"}),
        (OLD_ACTIONS, "{% include 'workspace/_inbox_actions.html' %}", {"kind": "questionnaire"}),
    ]
    with translation.override(language):
        for old, new, extra in cases:
            before = Template(old).render(Context({**context, **extra}))
            after = Template(new).render(Context({**context, **extra}))
            assert same(after) == same(before)
            assert "<script>" not in after and "&lt;script&gt;" in after
