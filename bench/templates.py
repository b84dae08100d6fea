"""The rows of a long table rendered by three engines, in-process: which one to write the client's
and the workspace's tables in (readable templates, no HTML in Python strings).

    .venv/bin/python bench/templates.py              # 50 rows, 400 renders per variant, 5 rounds
    .venv/bin/python bench/templates.py --rows 25 --renders 200

Two tables: a dossier's documents tab and the staff inbox's client messages, 50 rows each
(objects in memory: no database). Each is rendered by

- ``python``: the rows as HTML in Python strings (``format_html_join``, one ``reverse()`` per
  table, translations looked up once, dates without the template engine): the fast hand-written
  form, the baseline;
- ``django``: a Django template written the plain way — ``{% url %}``, ``{% translate %}`` and
  ``|date`` per row — compiled once (what the cached loader keeps);
- ``django-once``: the same Django template with the URL pattern, the translations and the date
  format computed once per table (``portal.rows`` through filters);
- ``jinja2``: Django's Jinja2 backend (``portal.jinja_env``: autoescape on, Django's gettext),
  a ``reverse()`` and Django's date formatter per row, as the old template had them;
- ``jinja2-once``: the Jinja2 templates the portal uses (``*/jinja2/*/_…_rows.html``): the same
  template text with ``url()`` (a name reversed once per process, the row's ids filled in) and
  ``|date`` (the two short formats without Django's formatter) of ``portal.jinja_env``.

Every variant must give the same HTML, whitespace aside (checked before timing). Printed: µs
per render (median of the rounds, the variants interleaved, ``time.process_time``) and the
ratio to ``python`` measured in
the same run, for nl.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("SECRET_KEY", "bench-templates-not-a-secret")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="kp-bench-templates-"))
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")

import django  # noqa: E402

django.setup()

from django import template  # noqa: E402
from django.template import Context, Engine  # noqa: E402
from django.template.backends.jinja2 import Jinja2  # noqa: E402
from django.template.defaultfilters import date, filesizeformat  # noqa: E402
from django.template.defaulttags import CsrfTokenNode  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402
from django.utils.html import format_html, format_html_join  # noqa: E402
from django.utils.timezone import template_localtime  # noqa: E402
from django.utils.translation import gettext  # noqa: E402

from portal import rows  # noqa: E402
from portal.rows import UrlPattern  # noqa: E402

# --- the baseline: rows as HTML in Python strings ------------------------------------------

DOCUMENT_ROW = """
    <tr class="{}">
      <td>{}</td>
      <td>
        {}
        {}
        {}
      </td>
      <td>{}</td>
      <td>{}</td>
      <td><a class="download-link" href="{}" download>{}<span class="visually-hidden"> {}</span></a></td>
    </tr>"""  # noqa: E501


def python_document_rows(page, dossier) -> str:
    download_url = UrlPattern("documents:download", dossier.pk)
    badge = format_html('<span class="unread-badge">{}</span>', gettext("New"))
    download = gettext("Download")

    def row(document) -> tuple:
        name = (
            format_html('<br><span class="muted">{}</span>', document.original_name)
            if document.title != document.original_name
            else ""
        )
        return (
            "is-read" if document.is_read else "is-unread",
            rows.day(document.created_at),
            "" if document.is_read else badge,
            document.title,
            name,
            document.type_label,
            filesizeformat(document.size),
            download_url.url(document.pk),
            download,
            document.title,
        )

    return format_html_join("", DOCUMENT_ROW, (row(document) for document in page))


MESSAGE_ROW = """
  <tr>
    <td>{}</td>
    <td><a href="{}">{}</a></td>
    <td>{}</td>
    <th scope="row"><a href="{}">{}</a></th>
    <td class="ws-row-actions">
      <a class="button button-small" href="{}">{}</a>
      <form method="post" action="{}" class="inline-form">{}<button type="submit" class="button button-small button-secondary">{}<span class="visually-hidden">: {}</span></button></form>
    </td>
  </tr>"""  # noqa: E501


def python_inbox_rows(message_items, csrf_token) -> str:
    dossier = UrlPattern("workspace:dossier")
    message = UrlPattern("workspace:message", variable=2)
    handled = UrlPattern("workspace:message_handled")
    csrf = CsrfTokenNode().render(Context({"csrf_token": csrf_token}))
    answer, mark = gettext("Answer"), gettext("Mark handled")

    def row(m) -> tuple:
        url = message.url(m.dossier_id, m.pk)
        return (
            rows.minute(m.created_at),
            dossier.url(m.dossier_id),
            m.dossier.number,
            m.author or "—",
            url,
            m.subject,
            url,
            answer,
            handled.url(m.pk),
            csrf,
            mark,
            m.subject,
        )

    return format_html_join("", MESSAGE_ROW, (row(m) for m in message_items))


# --- Django templates ---------------------------------------------------------------------

DJANGO_DOCUMENTS = """{% load i18n %}{% for document in page %}
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

DJANGO_DOCUMENTS_ONCE = """{% load i18n rows %}{% translate "New" as new %}{% translate "Download" as download %}{% url_pattern "documents:download" dossier.pk as download_url %}{% for document in page %}
    <tr class="{% if document.is_read %}is-read{% else %}is-unread{% endif %}">
      <td>{{ document.created_at|day }}</td>
      <td>
        {% if not document.is_read %}<span class="unread-badge">{{ new }}</span>{% endif %}
        {{ document.title }}
        {% if document.title != document.original_name %}<br><span class="muted">{{ document.original_name }}</span>{% endif %}
      </td>
      <td>{{ document.type_label }}</td>
      <td>{{ document.size|filesizeformat }}</td>
      <td><a class="download-link" href="{{ download_url|fill:document.pk }}" download>{{ download }}<span class="visually-hidden"> {{ document.title }}</span></a></td>
    </tr>
    {% endfor %}"""  # noqa: E501

DJANGO_INBOX = """{% load i18n %}{% for m in message_items %}
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

DJANGO_INBOX_ONCE = """{% load i18n rows %}{% translate "Answer" as answer %}{% translate "Mark handled" as mark %}{% url_pattern "workspace:dossier" as dossier_url %}{% url_pattern "workspace:message" variable=2 as message_url %}{% url_pattern "workspace:message_handled" as handled_url %}{% for m in message_items %}
  <tr>
    <td>{{ m.created_at|minute }}</td>
    <td><a href="{{ dossier_url|fill:m.dossier_id }}">{{ m.dossier.number }}</a></td>
    <td>{{ m.author|default:"—" }}</td>
    <th scope="row"><a href="{{ message_url|fill2:m }}">{{ m.subject }}</a></th>
    <td class="ws-row-actions">
      <a class="button button-small" href="{{ message_url|fill2:m }}">{{ answer }}</a>
      <form method="post" action="{{ handled_url|fill:m.pk }}" class="inline-form">{% csrf_token %}<button type="submit" class="button button-small button-secondary">{{ mark }}<span class="visually-hidden">: {{ m.subject }}</span></button></form>
    </td>
  </tr>
  {% endfor %}"""  # noqa: E501

rows_library = template.Library()
rows_library.simple_tag(
    lambda name, *fixed, variable=1: UrlPattern(name, *fixed, variable=variable), name="url_pattern"
)
rows_library.filter("fill", lambda pattern, arg: pattern.url(arg))
rows_library.filter("fill2", lambda pattern, m: pattern.url(m.dossier_id, m.pk))
rows_library.filter("day", rows.day)
rows_library.filter("minute", rows.minute)

# --- Jinja2 ---------------------------------------------------------------------------------

JINJA_DOCUMENTS = """{% for document in page %}
    <tr class="{% if document.is_read %}is-read{% else %}is-unread{% endif %}">
      <td>{{ document.created_at|django_date("j M Y") }}</td>
      <td>
        {% if not document.is_read %}<span class="unread-badge">{{ _("New") }}</span>{% endif %}
        {{ document.title }}
        {% if document.title != document.original_name %}<br><span class="muted">{{ document.original_name }}</span>{% endif %}
      </td>
      <td>{{ document.type_label }}</td>
      <td>{{ document.size|filesizeformat }}</td>
      <td><a class="download-link" href="{{ reverse('documents:download', dossier.pk, document.pk) }}" download>{{ _("Download") }}<span class="visually-hidden"> {{ document.title }}</span></a></td>
    </tr>
    {% endfor %}"""  # noqa: E501

JINJA_INBOX = """{% for m in message_items %}
  <tr>
    <td>{{ m.created_at|django_date("j M Y H:i") }}</td>
    <td><a href="{{ reverse('workspace:dossier', m.dossier_id) }}">{{ m.dossier.number }}</a></td>
    <td>{{ m.author or "—" }}</td>
    <th scope="row"><a href="{{ reverse('workspace:message', m.dossier_id, m.pk) }}">{{ m.subject }}</a></th>
    <td class="ws-row-actions">
      <a class="button button-small" href="{{ reverse('workspace:message', m.dossier_id, m.pk) }}">{{ _("Answer") }}</a>
      <form method="post" action="{{ reverse('workspace:message_handled', m.pk) }}" class="inline-form">{{ csrf_input }}<button type="submit" class="button button-small button-secondary">{{ _("Mark handled") }}<span class="visually-hidden">: {{ m.subject }}</span></button></form>
    </td>
  </tr>
  {% endfor %}"""  # noqa: E501


def jinja_engine() -> Jinja2:
    engine = Jinja2(
        {
            "NAME": "jinja2",
            "DIRS": [],
            "APP_DIRS": True,
            "OPTIONS": {"environment": "portal.jinja_env.environment"},
        }
    )
    # The plain variant: a reverse() and Django's date formatter per row.
    engine.env.globals["reverse"] = lambda name, *args: reverse(name, args=args)
    engine.env.filters["django_date"] = lambda value, arg: date(template_localtime(value), arg)
    return engine


# --- data -----------------------------------------------------------------------------------

EVIL = "<script>alert('x')</script> & \"quotes\""


def documents(n: int):
    start = datetime(2024, 3, 31, 23, 30, tzinfo=UTC)
    return [
        SimpleNamespace(
            pk=1000 + i,
            title=EVIL if i == 0 else f"Akte van levering {i}",
            original_name=f"akte-{i}.pdf" if i % 3 else f"Akte van levering {i}",
            is_read=bool(i % 4),
            type_label="PDF",
            size=1234 * (i + 1) ** 2,
            created_at=start - timedelta(days=3 * i, minutes=7 * i),
        )
        for i in range(n)
    ]


def inbox_messages(n: int):
    start = datetime(2024, 12, 31, 23, 15, tzinfo=UTC)
    return [
        SimpleNamespace(
            pk=500 + i,
            dossier_id=40 + i,
            dossier=SimpleNamespace(number=f"2024.{i:04d}"),
            author=None if i % 5 == 0 else f"Cliënt {i}",
            subject=EVIL if i == 0 else f"Vraag over de akte {i}",
            created_at=start - timedelta(hours=5 * i),
        )
        for i in range(n)
    ]


def same(html: str) -> str:
    """Whitespace aside; ' and " as Django escapes them (Jinja2 writes &#39; and &#34;)."""
    html = html.replace("&#39;", "&#x27;").replace("&#34;", "&quot;")
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


def timed(renders: dict, count: int, rounds: int) -> dict[str, float]:
    """µs per render of each variant: the median over the rounds, the variants interleaved in
    every round (a change in the machine's load falls on all of them)."""
    for render in renders.values():
        for _ in range(max(10, count // 10)):
            render()
    per_round: dict[str, list[float]] = {name: [] for name in renders}
    for _ in range(rounds):
        for name, render in renders.items():
            start = time.process_time()
            for _ in range(count):
                render()
            per_round[name].append((time.process_time() - start) / count * 1e6)
    return {name: statistics.median(values) for name, values in per_round.items()}


def variants(rows: int) -> dict[str, dict[str, object]]:
    engine = Engine(libraries={"i18n": "django.templatetags.i18n"})
    engine.template_libraries["rows"] = rows_library
    jinja = jinja_engine()
    env = jinja.env
    dossier = SimpleNamespace(pk=7)
    page = documents(rows)
    items = inbox_messages(rows)
    token = "k" * 64
    csrf_input = CsrfTokenNode().render(Context({"csrf_token": token}))
    doc_ctx = {"page": page, "dossier": dossier}
    inbox_ctx = {"message_items": items, "csrf_token": token}

    def django_render(source: str, context: dict):
        compiled = engine.from_string(source)
        return lambda: compiled.render(Context(context))

    def jinja_render(source_or_name: str, context: dict, named: bool = False):
        compiled = env.get_template(source_or_name) if named else env.from_string(source_or_name)
        return lambda: compiled.render(context)

    return {
        "documents tab": {
            "python": lambda: python_document_rows(page, dossier),
            "django": django_render(DJANGO_DOCUMENTS, doc_ctx),
            "django-once": django_render(DJANGO_DOCUMENTS_ONCE, doc_ctx),
            "jinja2": jinja_render(JINJA_DOCUMENTS, doc_ctx),
            "jinja2-once": jinja_render("documents/_document_rows.html", doc_ctx, named=True),
        },
        "staff inbox messages": {
            "python": lambda: python_inbox_rows(items, token),
            "django": django_render(DJANGO_INBOX, inbox_ctx),
            "django-once": django_render(DJANGO_INBOX_ONCE, inbox_ctx),
            "jinja2": jinja_render(JINJA_INBOX, {**inbox_ctx, "csrf_input": csrf_input}),
            "jinja2-once": jinja_render(
                "workspace/_inbox_message_rows.html",
                {**inbox_ctx, "csrf_input": csrf_input},
                named=True,
            ),
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50)
    parser.add_argument("--renders", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--language", default="nl")
    args = parser.parse_args()
    print(
        f"µs per render of {args.rows} rows, median of {args.rounds} rounds × {args.renders}, "
        f"language {args.language}, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    with translation.override(args.language):
        for table, renders in variants(args.rows).items():
            baseline = same(renders["python"]())
            for name, render in renders.items():
                if same(render()) != baseline:
                    raise SystemExit(f"{table}: {name} gives other HTML than python")
            figures = timed(renders, args.renders, args.rounds)
            print(f"\n{table}")
            for name, us in figures.items():
                print(f"  {name:<12} {us:9.1f} µs   × {us / figures['python']:.2f}")


if __name__ == "__main__":
    main()
