"""The rows of the client's long tables — dossiers, documents, messages — built in Python.

Rendering 25–50 rows through the template engine (a variable lookup, an escape, a
``{% url %}`` and a ``{% translate %}`` per cell) was about 70 % of a dossier tab's CPU time.
These tags give the same HTML (tests/test_client_tables.py compares them with the template
loops they replace): the same elements, classes and texts; every value goes through
``format_html``/``format_html_join``, which escape it as ``{{ … }}`` does; the dates through
the same month names and time zone as the ``date`` filter, the sizes through
``filesizeformat``. Per table: one ``reverse()`` (``portal.rows.UrlPattern``: a row's URL is
the reversed one with the row's ids filled in) and the translations looked up once, not once
per row.
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext

from portal.rows import DateFormat, UrlPattern

register = template.Library()


DOSSIER_ROW = """
      <tr>
        <td>{}</td>
        <td><a href="{}">{}</a></td>
        <td><span class="status">{}</span></td>
      </tr>"""


@register.simple_tag
def dossier_rows(page) -> str:
    """The rows of the dossier list (``dossiers/dossier_list.html``)."""
    detail = UrlPattern("dossiers:detail")
    return format_html_join(
        "",
        DOSSIER_ROW,
        ((d.number, detail.url(d.pk), d.description, d.status.label) for d in page),
    )


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


@register.simple_tag
def document_rows(page, dossier) -> str:
    """The rows of a dossier's document tab (``documents/_document_table.html``)."""
    download_url = UrlPattern("documents:download", dossier.pk)
    badge = format_html('<span class="unread-badge">{}</span>', gettext("New"))
    download = gettext("Download")
    dates = DateFormat()

    def row(document) -> tuple:
        name = (
            format_html('<br><span class="muted">{}</span>', document.original_name)
            if document.title != document.original_name
            else ""
        )
        return (
            "is-read" if document.is_read else "is-unread",
            dates.day(document.created_at),
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


_CLIP = format_html(
    '<svg class="icon" aria-hidden="true" focusable="false" width="16" height="16" '
    'viewBox="0 0 24 24"><path fill="currentColor" d="M16.5 6v11.5a4 4 0 0 1-8 0V5a2.5 2.5 0 0 '
    "1 5 0v10.5a1 1 0 0 1-2 0V6H10v9.5a2.5 2.5 0 0 0 5 0V5a4 4 0 0 0-8 0v12.5a5.5 5.5 0 0 0 11 "
    '0V6h-1.5z"/></svg> {}',
    "",
)

MESSAGE_ROW = """
    <tr class="message-row {} {}">
      <td class="direction">
        {}
      </td>
      <td>
        {}
        <a class="row-link" href="{}">{}</a>
        <br><span class="muted">{}</span>
      </td>
      <td>{}</td>
      <td>{}</td>
    </tr>"""


@register.simple_tag(takes_context=True)
def message_rows(context, page, dossier) -> str:
    """The rows of a dossier's Berichten tab (``messaging/_message_list.html``)."""
    detail = UrlPattern("messaging:detail", dossier.pk)
    office = context.get("office")
    office_name = office.name if office is not None else ""
    incoming = format_html(
        '<span class="direction-in" title="{}"><span aria-hidden="true">&#8601;</span> {}</span>',
        gettext("From the office"),
        gettext("From"),
    )
    outgoing = format_html(
        '<span class="direction-out" title="{}"><span aria-hidden="true">&#8599;</span> {}</span>',
        gettext("Sent by you to the office"),
        gettext("To"),
    )
    badge = format_html('<span class="unread-badge">{}</span>', gettext("New"))
    you = gettext("you")
    dates = DateFormat()

    def row(message) -> tuple:
        if message.is_incoming:
            sender = office_name
        else:
            author = message.author
            sender = (author.get_full_name() if author is not None else "") or you
        count = message.attachment_count
        files = (
            format_html("{}{}", _CLIP, ngettext("%(n)s file", "%(n)s files", count) % {"n": count})
            if count
            else ""
        )
        return (
            "is-read" if message.is_read else "is-unread",
            "is-incoming" if message.is_incoming else "is-outgoing",
            incoming if message.is_incoming else outgoing,
            "" if message.is_read else badge,
            detail.url(message.pk),
            message.subject,
            sender,
            dates.minute(message.created_at),
            files,
        )

    return format_html_join("", MESSAGE_ROW, (row(message) for message in page))


STEP_ITEM = """
    <li class="{}">
      <span class="step-mark" aria-hidden="true">{}</span>
      <span>{} <span class="visually-hidden">({})</span></span>
    </li>"""


@register.simple_tag
def step_items(steps) -> str:
    """The progress steps of a dossier (``dossiers/dossier_detail.html``, R-DOS-5)."""
    done, open_ = gettext("done"), gettext("not done yet")
    return format_html_join(
        "",
        STEP_ITEM,
        (
            ("step-done", "✓", step.title, done)
            if step.done
            else ("step-open", "○", step.title, open_)
            for step in steps
        ),
    )


TAB_ITEM = """
    <li><a href="{}"{}>{} <span class="tab-count">({})</span>{}</a></li>"""
UNREAD = (
    """ <span class="tab-unread" title="{}">{}<span class="visually-hidden"> {}</span></span>"""
)


@register.simple_tag
def tab_items(tabs, dossier, active: str) -> str:
    """The tab bar of a dossier (``dossiers/dossier_detail.html``, R-DOS-4)."""
    unread = gettext("unread")
    current = format_html(' aria-current="{}"', "page")

    def item(tab) -> tuple:
        badge = (
            format_html(
                UNREAD,
                ngettext("%(n)s unread", "%(n)s unread", tab["unread"]) % {"n": tab["unread"]},
                tab["unread"],
                unread,
            )
            if tab["unread"]
            else ""
        )
        return (
            reverse("dossiers:tab", args=[dossier.pk, tab["slug"]]),
            current if tab["slug"] == active else "",
            tab["label"],
            tab["total"],
            badge,
        )

    return format_html_join("", TAB_ITEM, (item(tab) for tab in tabs))
