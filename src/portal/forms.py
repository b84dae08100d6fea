"""Form rendering shared by every form of the portal (``FORM_RENDERER``)."""

from __future__ import annotations

from django import forms
from django.forms.renderers import DjangoTemplates


class BoundField(forms.BoundField):
    """Django ends every label with the form's ``label_suffix`` (":"). A checkbox's label is a
    statement next to the box ("Send the invitation now"), not a caption before a value, so
    it gets none."""

    def label_tag(self, contents=None, attrs=None, label_suffix=None, tag=None):
        if label_suffix is None and isinstance(self.field.widget, forms.CheckboxInput):
            label_suffix = ""
        return super().label_tag(contents, attrs, label_suffix, tag)


class FormRenderer(DjangoTemplates):
    bound_field_class = BoundField

    # Widget templates of Django's own that leave a control without an accessible name: the
    # admin's date-and-time field writes "Datum:" and "Tijd:" as bare text before its two
    # inputs (and, being a MultiWidget, its field label points at neither), so a screen
    # reader announces two unnamed text boxes.
    REPLACED = {
        "admin/widgets/split_datetime.html": "workspace/admin/split_datetime.html",
    }

    def get_template(self, template_name):
        return super().get_template(self.REPLACED.get(template_name, template_name))
