"""``makemessages`` that also reads the Jinja2 templates (each app's ``jinja2/`` folder).

Django's own command reads every ``.html`` file as a Django template, which finds only part of
a Jinja2 template's strings (``{{ _("…") }}`` but no ``ngettext(…)``). Here a file under a
``jinja2/`` folder is read by Jinja2's own extractor instead (the environment of
``settings.TEMPLATES``), and handed to xgettext as the Python calls it makes —
``gettext("…")``, ``ngettext("…", "…", n)``, ``pgettext(…)`` — each on its line. Everything
else is Django's command unchanged; ``make messages`` runs it.
"""

from __future__ import annotations

import os
from typing import cast

from django.core.management.commands import makemessages
from django.template import engines
from django.template.backends.jinja2 import Jinja2


def python_calls(source: str) -> str:
    """The gettext calls of a Jinja2 template as Python source, on the template's lines."""
    lines: dict[int, list[str]] = {}
    env = cast(Jinja2, engines["jinja2"]).env
    for lineno, function, message in env.extract_translations(source):
        strings = [m for m in (message if isinstance(message, tuple) else (message,)) if m]
        if function in ("ngettext", "npgettext"):
            call = f"{function}({', '.join(map(repr, strings))}, 1)"
        else:
            call = f"{function}({', '.join(map(repr, strings))})"
        lines.setdefault(lineno, []).append(call)
    last = max(lines, default=0)
    return "\n".join("; ".join(lines.get(n, [])) for n in range(1, last + 1)) + "\n"


class JinjaBuildFile(makemessages.BuildFile):
    @property
    def is_jinja(self) -> bool:
        return f"{os.sep}jinja2{os.sep}" in self.path

    def preprocess(self):
        if not (self.is_templatized and self.is_jinja):
            return super().preprocess()
        with open(self.path, encoding="utf-8") as fp:
            content = python_calls(fp.read())
        with open(self.work_path, "w", encoding="utf-8") as fp:
            fp.write(content)


class Command(makemessages.Command):
    build_file_class = JinjaBuildFile
