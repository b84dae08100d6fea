"""The staff inbox: its counts, and the rows of its three lists built in Python (the
same HTML as the template loops they replace, tests/test_workspace_rows.py; every value through
``format_html``, escaped as ``{{ … }}`` escapes it; one ``reverse()`` per URL kind, not per row).
"""

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html_join
from django.utils.translation import gettext

from portal.rows import DateFormat, UrlPattern
from portal.workspace.queries import COUNT_CAP

register = template.Library()


@register.filter
def capped(count: int) -> str:
    """An inbox count: "1000+" once it passes the cap (counting stops there)."""
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


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


@register.simple_tag(takes_context=True)
def inbox_message_rows(context, messages) -> str:
    dossier = UrlPattern("workspace:dossier")
    message = UrlPattern("workspace:message", variable=2)
    handled = UrlPattern("workspace:message_handled")
    csrf = CsrfTokenNode().render(context)
    answer, mark = gettext("Answer"), gettext("Mark handled")
    dates = DateFormat()

    def row(m) -> tuple:
        url = message.url(m.dossier_id, m.pk)
        return (
            dates.minute(m.created_at),
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

    return format_html_join("", MESSAGE_ROW, (row(m) for m in messages))


FILE_ROW = """
  <tr>
    <td>{}</td>
    <td><a href="{}">{}</a></td>
    <td>{}</td>
    <th scope="row"><a href="{}">{}</a></th>
    <td class="ws-row-actions"><form method="post" action="{}" class="inline-form">{}<button type="submit" class="button button-small button-secondary">{}<span class="visually-hidden">: {}</span></button></form></td>
  </tr>"""  # noqa: E501


@register.simple_tag(takes_context=True)
def inbox_file_rows(context, files) -> str:
    dossier = UrlPattern("workspace:dossier")
    download = UrlPattern("workspace:download")
    seen = UrlPattern("workspace:document_seen")
    csrf = CsrfTokenNode().render(context)
    mark = gettext("Mark seen")
    dates = DateFormat()
    return format_html_join(
        "",
        FILE_ROW,
        (
            (
                dates.minute(d.created_at),
                dossier.url(d.dossier_id),
                d.dossier.number,
                d.uploaded_by or "—",
                download.url(d.pk),
                d.original_name,
                seen.url(d.pk),
                csrf,
                mark,
                d.original_name,
            )
            for d in files
        ),
    )


ACTION_ITEM = """
  <li>
    <a href="{}">{}</a>
    <span class="muted">— {}, <a href="{}">{}</a>, {}</span>
    <form method="post" action="{}" class="inline-form">{}<button type="submit" class="button button-small button-secondary">{}<span class="visually-hidden">: {}</span></button></form>
  </li>"""  # noqa: E501


@register.simple_tag(takes_context=True)
def inbox_action_items(context, actions, kind: str) -> str:
    action = UrlPattern("workspace:action")
    dossier = UrlPattern("workspace:dossier")
    handled = UrlPattern("workspace:action_handled")
    csrf = CsrfTokenNode().render(context)
    mark = gettext("Mark handled")
    dates = DateFormat()
    return format_html_join(
        "",
        ACTION_ITEM,
        (
            (
                action.url(a.pk),
                a.title,
                a.client.name,
                dossier.url(a.dossier_id),
                a.dossier.number,
                dates.minute(a.completed_at),
                handled.url(a.pk),
                csrf,
                mark,
                a.title,
            )
            for a in actions
            if a.kind == kind
        ),
    )
