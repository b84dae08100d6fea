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
