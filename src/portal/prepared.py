"""Queries made on every request, with their SQL built once per process.

Django builds and compiles the SQL of a queryset anew each time it runs: for a read by primary
key about 0.25 ms of Python on the benchmark machine, several times the query itself. A
``PreparedQuery`` builds its queryset once per database alias with marker values, finds where
the markers went among the SQL's parameters, and then only executes that SQL with the real
values, converting the columns as the ORM does. Same SQL, same result, and the same count in
the query-count tests (it runs through Django's cursor).

Used for the session read (portal.sessions) and the signed-in user's row (accounts.models).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, cast

from django.db import connections
from django.db.models import Field, Model, QuerySet


class PreparedQuery:
    """``build(**markers)`` → a queryset of ``values_list`` rows; ``first(alias, **values)`` →
    its first row for other values, or None. ``markers`` maps each name to the model field its
    value is compared with and a marker value no real value equals."""

    def __init__(self, build: Callable[..., QuerySet], **markers: tuple[Field, Any]):
        self._build = build
        self._markers = markers
        self._by_alias: dict[str, tuple[str, list, dict[str, int], dict]] = {}

    def _compiled(self, alias: str) -> tuple[str, list, dict[str, int], dict]:
        found = self._by_alias.get(alias)
        if found is None:
            connection = connections[alias]
            queryset = self._build(**{name: m for name, (_f, m) in self._markers.items()})
            compiler = queryset.using(alias).query.get_compiler(alias)
            sql, params = compiler.as_sql()
            params = list(params)
            at = {}
            for name, (field, marker) in self._markers.items():
                prepared = field.get_db_prep_value(marker, connection)
                places = [i for i, param in enumerate(params) if param == prepared]
                if len(places) != 1:
                    raise RuntimeError(f"marker {name!r} found {len(places)} times in {sql}")
                at[name] = places[0]
            columns = [column for column, _sql, _alias in compiler.select]
            found = (sql, params, at, compiler.get_converters(columns))
            self._by_alias[alias] = found
        return found

    def first(self, alias: str, **values: Any) -> list | None:
        sql, template, at, converters = self._compiled(alias)
        connection = connections[alias]
        params = list(template)
        for name, value in values.items():
            params[at[name]] = self._markers[name][0].get_db_prep_value(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        row = list(row)
        for place, (functions, expression) in converters.items():  # as the ORM converts
            for convert in functions:
                row[place] = convert(row[place], expression, connection)
        return row


@functools.cache
def prepared_get_by_pk(model: type[Model]) -> Callable[[str, Any], Model | None]:
    """``model.objects.get(pk=…)`` (an integer primary key) with the SQL built once: a function
    (alias, pk) → the instance, or None when there is no such row."""
    names = [field.attname for field in model._meta.concrete_fields]
    pk = model._meta.pk
    query = PreparedQuery(
        lambda *, key: model._base_manager.filter(pk=key).order_by().values_list(*names),
        key=(pk, -987_654_321),
    )

    def get(alias: str, value: Any) -> Model | None:
        row = query.first(alias, key=value)
        return None if row is None else model.from_db(alias, names, row)

    return get


@functools.cache
def prepared_get_by_pk_in_office(model: type[Model]) -> Callable[[str, Any, int], Model | None]:
    """As ``prepared_get_by_pk`` for office data: the row only if it is ``office``'s
    (portal.core.scoping), a function (alias, pk, office id) → the instance or None."""
    names = [field.attname for field in model._meta.concrete_fields]
    pk = model._meta.pk
    office = cast("Field", model._meta.get_field("office"))
    query = PreparedQuery(
        lambda *, key, office_id: (
            model._base_manager.filter(pk=key, office_id=office_id).order_by().values_list(*names)
        ),
        key=(pk, -987_654_321),
        office_id=(office, -987_654_322),
    )

    def get(alias: str, value: Any, office_id: int) -> Model | None:
        row = query.first(alias, key=value, office_id=office_id)
        return None if row is None else model.from_db(alias, names, row)

    return get
