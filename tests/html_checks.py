"""Checks every HTML page the test suite receives (R-X-3): no id occurs twice, and every form
control has exactly one accessible name. ``tests/conftest.py`` runs them on each response of
``django.test.Client``."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

# Controls a user fills in or picks; hidden inputs and buttons (named by their text or value)
# are left out.
UNNAMED_INPUT_TYPES = {"hidden", "submit", "button", "reset", "image"}


@dataclass
class _Control:
    tag: str
    attrs: dict[str, str | None]
    wrapping_label_for: str | None  # inside a <label>: its "for" ("" without one); else None

    def describe(self) -> str:
        shown = " ".join(f'{k}="{v}"' for k, v in self.attrs.items() if k in {"id", "name", "type"})
        return f"<{self.tag} {shown}>" if shown else f"<{self.tag}>"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter = Counter()
        self.label_for: Counter = Counter()
        self.controls: list[_Control] = []
        self.open_labels: list[str] = []  # the "for" of each <label> being read

    def handle_starttag(self, tag, attrs) -> None:
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids[attrs["id"]] += 1
        if tag == "label":
            if attrs.get("for"):
                self.label_for[attrs["for"]] += 1
            self.open_labels.append(attrs.get("for") or "")
        elif "hidden" in attrs:
            return  # not shown, so not in the accessibility tree (a picker opened by a button)
        elif tag in {"select", "textarea"} or (
            tag == "input" and (attrs.get("type") or "text").lower() not in UNNAMED_INPUT_TYPES
        ):
            wrapping = self.open_labels[-1] if self.open_labels else None
            self.controls.append(_Control(tag, attrs, wrapping))

    def handle_startendtag(self, tag, attrs) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag) -> None:
        if tag == "label" and self.open_labels:
            self.open_labels.pop()


def problems(html: str) -> list[str]:
    """What is wrong with the page: ids used twice, controls with no or several names."""
    page = _Page()
    page.feed(html)
    page.close()
    found = [f'id "{name}" occurs {n} times' for name, n in page.ids.items() if n > 1]
    for control in page.controls:
        attrs = control.attrs
        labelledby = (attrs.get("aria-labelledby") or "").split()
        if labelledby:
            missing = [name for name in labelledby if name not in page.ids]
            if missing:
                found.append(f"{control.describe()} is labelled by missing id(s) {missing}")
            continue  # an explicit name overrides the labels
        if (attrs.get("aria-label") or "").strip():
            continue
        own_id = attrs.get("id") or ""
        labels = page.label_for.get(own_id, 0)
        # A wrapping label names the control too, unless its "for" already counted it.
        wrapping = control.wrapping_label_for
        if wrapping is not None and not (wrapping and wrapping == own_id):
            labels += 1
        if labels > 1:
            found.append(f"{control.describe()} has {labels} labels (read out {labels} times)")
        elif labels == 0 and not (attrs.get("title") or "").strip():
            found.append(f"{control.describe()} has no accessible name")
    return found
