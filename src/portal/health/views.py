"""Health endpoints for the load balancer and the orchestrator.

- ``/health/live/``: the process answers. No database, no storage, no broker: a database outage
  must not make the orchestrator restart every app server.
- ``/health/ready/``: this app server can do its work: the database answers, the file storage
  can be reached, the Celery broker (when configured) and the virus scanner (when configured)
  answer. 503 with the failing parts named (never an error text, which could carry a host name
  or a credential) when one does not. A scanner that is not configured is reported as
  "not configured" (or "disabled" with ``CLAMAV_DISABLED``), never "ok", and does not make the
  server "not ready": uploads work without it, and ``check --deploy`` warns about it.

Both are outside the login (``login_not_required``) and carry no data of the office.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.celery import app
from portal.files import scanning

log = logging.getLogger(__name__)


@login_not_required
@never_cache
@require_GET
def live(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        return bool(cursor.fetchone()[0] == 1)


def _storage() -> bool:
    # A lookup of a name that need not exist: reaches the disk or the bucket, writes nothing.
    default_storage.exists("health/probe")
    return True


def _broker() -> bool:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True  # the embedded mode runs tasks in-process: there is no broker
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return True


#: A part this deployment runs without: reported as such, and not a reason to be "not ready".
NOT_CONFIGURED = "not configured"
DISABLED = "disabled"


def _scanner() -> bool | str:
    if not settings.CLAMAV_URL:
        # Said honestly rather than "ok": uploads are not scanned here (on purpose when
        # CLAMAV_DISABLED says files are scanned elsewhere). `check --deploy` warns otherwise.
        return DISABLED if settings.CLAMAV_DISABLED else NOT_CONFIGURED
    return scanning.ping()


CHECKS = {"database": _database, "storage": _storage, "broker": _broker, "scanner": _scanner}


@login_not_required
@never_cache
@require_GET
def ready(request: HttpRequest) -> JsonResponse:
    results = {}
    for name, check in CHECKS.items():
        try:
            outcome = check()
        except Exception as exc:  # any failure of a dependency means "not ready"
            log.warning("Readiness check %s failed: %s", name, type(exc).__name__)
            outcome = False
        # True/False for a part that answers or not; a text for a part not used here.
        results[name] = outcome if isinstance(outcome, str) else "ok" if outcome else "failing"
    ok = all(value != "failing" for value in results.values())
    return JsonResponse(
        {"status": "ok" if ok else "failing", "checks": results}, status=200 if ok else 503
    )
