"""Office data (R-TEN-2): every row carries its office, and the default manager returns only
the rows of the context's office (``tenancy``). Without an office it refuses (``OfficeRequired``)
unless the path is marked ``cross_office()``. New rows take the context's office.

Relations followed from a row already read (``document.dossier``) use the plain base manager:
the row was scoped when it was read, and PostgreSQL's row-level security checks again."""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from django.core.exceptions import FullResultSet
from django.db import models
from django.db.models import F, Lookup

from .tenancy import OfficeRequired, chosen_office, is_cross_office, require_office_id

_M = TypeVar("_M", bound=models.Model)


def context_office_id() -> int | None:
    """Default of ``office`` on new office rows: the context's office if one is chosen (a row
    made without one gets it when saved, ``check_office_on_save``)."""
    office = chosen_office()
    return office.pk if office is not None else None


def check_office_on_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    """``pre_save`` of every model: office data is written only for the context's office,
    except on cross-office paths (``raw``: fixtures loaded as they are)."""
    if kwargs.get("raw") or not isinstance(sender._default_manager, OfficeManager):
        return
    if is_cross_office():
        return
    office_id = require_office_id()
    own = getattr(instance, "office_id", None)
    if own is None:
        instance.office_id = office_id  # type: ignore[attr-defined]
    elif own != office_id:
        raise OfficeRequired(f"{sender.__name__} of another office saved in this office's scope.")


class InContextOffice(Lookup):
    """``office_id = <the context's office>``, the office read when the SQL is made, not when
    the queryset is: a queryset built at import time (a form field's choices) or kept across
    requests still reads the office of the query's moment. Cross-office: no condition."""

    lookup_name = "in_context_office"  # never registered: used only by OfficeManager

    def __init__(self) -> None:
        super().__init__(F("office_id"), None)

    def get_prep_lookup(self) -> None:
        return None

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        if is_cross_office():
            raise FullResultSet
        column, params = compiler.compile(self.lhs)
        return f"{column} = %s", [*params, require_office_id()]


class OfficeManager(models.Manager[_M]):
    """The office's rows only; refuses without an office outside ``cross_office()``."""

    def get_queryset(self) -> models.QuerySet[_M]:
        queryset = super().get_queryset()
        # A related manager (``dossier.documents``, prefetching) follows a row already read in
        # the office's scope, like the base manager of a forward relation: no second condition
        # per row. A historical model of a migration before the column has no office.
        if hasattr(self, "instance") or not _has_office(self.model):
            return queryset
        return queryset.filter(InContextOffice())


@functools.cache
def _has_office(model: type[models.Model]) -> bool:
    return any(field.name == "office" for field in model._meta.concrete_fields)


def office_field(**kwargs: Any) -> models.ForeignKey:
    """The ``office`` column of office data: set from the context, never edited."""
    kwargs.setdefault("related_name", "+")
    return models.ForeignKey(
        "offices.Office",
        on_delete=models.CASCADE,
        default=context_office_id,
        editable=False,
        db_index=True,
        **kwargs,
    )
