"""The client's long tables are built in Python (issue 9, ``dossiers/templatetags/client_tables``,
``questionnaires/templatetags/action_items``): the rows must be the HTML the template loops
gave, whitespace aside, escaping included."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from portal.documents.models import Document

OLD_DOCUMENT_ROWS = """{% load i18n %}{% for document in page %}
    <tr class="{% if document.is_read %}is-read{% else %}is-unread{% endif %}">
      <td>{{ document.created_at|date:"j M Y" }}</td>
      <td>
        {% if not document.is_read %}<span class="unread-badge">{% translate "New" %}</span>{% endif %}
        {{ document.title }}
        {% if document.title != document.original_name %}<br><span class="muted">{{ document.original_name }}</span>{% endif %}
      </td>
      <td>{{ document.type_label }}</td>
      <td>{{ document.size|filesizeformat }}</td>
      <td><a class="download-link" href="{% url 'documents:download' dossier.pk document.pk %}" download>{% translate "Download" %}<span class="visually-hidden"> {{ document.title }}</span></a></td>
    </tr>
    {% endfor %}"""  # noqa: E501

OLD_MESSAGE_ROWS = """{% load i18n %}{% for message in page %}
    <tr class="message-row {% if message.is_read %}is-read{% else %}is-unread{% endif %} {% if message.is_incoming %}is-incoming{% else %}is-outgoing{% endif %}">
      <td class="direction">
        {% if message.is_incoming %}<span class="direction-in" title="{% translate 'From the office' %}"><span aria-hidden="true">&#8601;</span> {% translate "From" %}</span>{% else %}<span class="direction-out" title="{% translate 'Sent by you to the office' %}"><span aria-hidden="true">&#8599;</span> {% translate "To" %}</span>{% endif %}
      </td>
      <td>
        {% if not message.is_read %}<span class="unread-badge">{% translate "New" %}</span>{% endif %}
        <a class="row-link" href="{% url 'messaging:detail' dossier.pk message.pk %}">{{ message.subject }}</a>
        <br><span class="muted">{% if message.is_incoming %}{{ office.name }}{% else %}{{ message.author.get_full_name|default:_("you") }}{% endif %}</span>
      </td>
      <td>{{ message.created_at|date:"j M Y H:i" }}</td>
      <td>{% if message.attachment_count %}<svg class="icon" aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 24 24"><path fill="currentColor" d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 0V6h-1.5z"/></svg> {% blocktranslate count n=message.attachment_count %}{{ n }} file{% plural %}{{ n }} files{% endblocktranslate %}{% endif %}</td>
    </tr>
    {% endfor %}"""  # noqa: E501

OLD_DOSSIER_ROWS = """{% for dossier in page %}
      <tr>
        <td>{{ dossier.number }}</td>
        <td><a href="{% url 'dossiers:detail' dossier.pk %}">{{ dossier.description }}</a></td>
        <td><span class="status">{{ dossier.status.label }}</span></td>
      </tr>
      {% endfor %}"""

OLD_ACTION_ITEMS = """{% load i18n %}{% for action in actions %}<li>
  <span>{% if action.kind == "upload" %}<span class="muted">{% translate "Upload request" %}:</span> {% endif %}{{ action.title }} <span class="muted">· {{ action.dossier.number }} {{ action.dossier.description }}</span></span>
  {% if action.kind == "upload" %}<a class="button button-small" href="{% url 'questionnaires:upload' action.pk %}">{% translate "Upload" %}<span class="visually-hidden"> {{ action.title }}</span></a>
  {% else %}<a class="button button-small" href="{% url 'questionnaires:resume' action.pk %}">{% translate "Fill in" %}<span class="visually-hidden"> {{ action.title }}</span></a>{% endif %}
</li>
{% endfor %}"""  # noqa: E501

OLD_STEPS_AND_TABS = """{% load i18n %}{% for step in steps %}
    <li class="{% if step.done %}step-done{% else %}step-open{% endif %}">
      <span class="step-mark" aria-hidden="true">{% if step.done %}✓{% else %}○{% endif %}</span>
      <span>{{ step.title }} <span class="visually-hidden">({% if step.done %}{% translate "done" %}{% else %}{% translate "not done yet" %}{% endif %})</span></span>
    </li>
    {% endfor %}{% for tab in tabs %}
    <li><a href="{% url 'dossiers:tab' dossier.pk tab.slug %}"{% if tab.slug == active_tab %} aria-current="page"{% endif %}>{{ tab.label }} <span class="tab-count">({{ tab.total }})</span>{% if tab.unread %} <span class="tab-unread" title="{% blocktranslate count n=tab.unread %}{{ n }} unread{% plural %}{{ n }} unread{% endblocktranslate %}">{{ tab.unread }}<span class="visually-hidden"> {% translate "unread" %}</span></span>{% endif %}</a></li>
    {% endfor %}"""  # noqa: E501

EVIL = "<script>alert('x')</script> & \"quotes\""


def same(html: str) -> str:
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


def render(source: str, **context) -> str:
    return Template(source).render(Context(context))


def documents():
    def doc(pk, title, name, is_read, size, content_type, when):
        d = Document(pk=pk, title=title, original_name=name, size=size, content_type=content_type)
        d.created_at, d.is_read = when, is_read
        return d

    return [
        doc(
            1,
            EVIL,
            EVIL,
            False,
            1_234_567,
            "application/pdf",
            datetime(2024, 3, 31, 23, 30, tzinfo=UTC),
        ),
        doc(
            22, "Akte", "akte.pdf", True, 999, "text/<odd>", datetime(2019, 12, 1, 8, 0, tzinfo=UTC)
        ),
        doc(333, "Brief", "Brief", False, 0, "image/png", datetime(2025, 5, 5, 12, 0, tzinfo=UTC)),
    ]


def messages():
    author = SimpleNamespace(get_full_name=lambda: EVIL)

    def msg(pk, direction, is_read, count, author, when):
        return SimpleNamespace(
            pk=pk,
            subject=EVIL if pk == 1 else f"Onderwerp {pk}",
            is_incoming=direction == "in",
            is_read=is_read,
            attachment_count=count,
            author=author,
            created_at=when,
        )

    return [
        msg(1, "in", False, 0, None, datetime(2024, 10, 3, 7, 5, tzinfo=UTC)),
        msg(2, "out", True, 1, author, datetime(2023, 1, 1, 0, 0, tzinfo=UTC)),
        msg(3, "out", False, 3, None, datetime(2022, 6, 30, 22, 59, tzinfo=UTC)),
    ]


@pytest.mark.parametrize("language", ["nl", "en"])
def test_rows_are_the_html_of_the_template_loops_R_DOS_4_R_MSG_1(language):
    dossier = SimpleNamespace(pk=7)
    office = SimpleNamespace(name="Notariaat <De Linde> & Co")
    status = SimpleNamespace(label=EVIL)
    dossiers = [
        SimpleNamespace(pk=pk, number=f"2024.{pk}<b>", description=EVIL, status=status)
        for pk in (5, 17)
    ]
    actions = [
        SimpleNamespace(pk=pk, kind=kind, title=EVIL, dossier=dossiers[0])
        for pk, kind in ((3, "upload"), (4, "questionnaire"))
    ]
    extra = {
        "steps": [SimpleNamespace(title=EVIL, done=done) for done in (True, False)],
        "tabs": [
            {"slug": "correspondentie", "label": EVIL, "total": 12, "unread": 0},
            {"slug": "berichten", "label": "Berichten", "total": 3, "unread": 1},
            {"slug": "documenten", "label": "Stukken", "total": 9, "unread": 4},
        ],
        "active_tab": "berichten",
    }
    with translation.override(language):
        cases = [
            (
                OLD_DOCUMENT_ROWS,
                "{% load client_tables %}{% document_rows page dossier %}",
                documents(),
            ),
            (
                OLD_MESSAGE_ROWS,
                "{% load client_tables %}{% message_rows page dossier %}",
                messages(),
            ),
            (OLD_DOSSIER_ROWS, "{% load client_tables %}{% dossier_rows page %}", dossiers),
            (OLD_ACTION_ITEMS, "{% load action_items %}{% action_items page %}", actions),
            (
                OLD_STEPS_AND_TABS,
                "{% load client_tables %}{% step_items steps %}"
                "{% tab_items tabs dossier active_tab %}",
                None,
            ),
        ]
        for old, new, page in cases:
            context = dict(page=page, actions=page, dossier=dossier, office=office, **extra)
            before = render(old, **context)
            after = render(new, **context)
            assert same(after) == same(before)
            assert "<script>" not in after and "&lt;script&gt;" in after
