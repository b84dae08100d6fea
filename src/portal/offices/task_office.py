"""A Celery task runs for the office that queued it (R-TEN-2): the office travels in a message
header and the worker enters its scope for the task. A task queued with no office (a beat
sweep) runs with none and chooses its offices itself (``offices.services.each_office``)."""

from __future__ import annotations

from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun

from portal.core import tenancy

from .models import Office

HEADER = "portal_office"
_SCOPE = "_portal_office_scope"


@before_task_publish.connect(dispatch_uid="portal_office_header")
def carry_office(headers: dict | None = None, **kwargs: Any) -> None:
    office = tenancy.chosen_office()
    if office is not None and headers is not None:
        headers[HEADER] = office.pk


@task_prerun.connect(dispatch_uid="portal_office_enter")
def enter_office(task: Any = None, **kwargs: Any) -> None:
    office_id = getattr(task.request, HEADER, None) if task is not None else None
    if not office_id:
        return
    with tenancy.cross_office():
        office = Office.objects.get(pk=office_id)
    scope = tenancy.office_scope(office)
    scope.__enter__()
    setattr(task.request, _SCOPE, scope)


@task_postrun.connect(dispatch_uid="portal_office_leave")
def leave_office(task: Any = None, **kwargs: Any) -> None:
    scope = getattr(task.request, _SCOPE, None) if task is not None else None
    if scope is not None:
        setattr(task.request, _SCOPE, None)
        scope.__exit__(None, None, None)
