"""What each middleware, the session store and each context processor cost per request,
in-process (issue 16 item 5).

    .venv/bin/python bench/middleware.py             # the data of bench/cpu.py (made if missing)
    .venv/bin/python bench/middleware.py --json FILE

The same environment as bench/cpu.py (``DEBUG=0``, SQLite at scale 0.02 or ``DATABASE_URL``,
the heavy client logged in through the real form; its data are reused when present). Measured
with ``time.process_time``, the variants taking turns in rounds, medians reported:

- **The stack built up one middleware at a time**: the portal's liveness view (no database of
  its own) through ``WSGIHandler`` with the first *k* middleware of ``settings.MIDDLEWARE``, for
  every *k*, with the client's session cookie. The difference between *k* and *k − 1* is what
  the *k*-th middleware adds. Loading the session and the user is lazy: it is paid by the first
  middleware that looks at ``request.user`` (the table names it).
- **The stack minus one middleware**: the whole stack without one of them, where the others
  still work without it (the session and authentication middleware cannot be left out alone).
- **Session engines**: the whole stack with Django's and the portal's database and cached
  stores (the cache: Django's local memory, or Redis with ``REDIS_URL``).
- **Context processors**: each one called with the request of a client page after the
  middleware ran, its lazy values evaluated (what a page that shows them pays).
- **Prepared reads**: the liveness view, home and the documents tab with the session and the
  user read through Django's ORM and through the SQL built once (portal.prepared), switched
  back and forth in the same process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import cpu  # noqa: E402

ENGINES = [
    "django.contrib.sessions.backends.db",
    "portal.sessions.db",
    "django.contrib.sessions.backends.cached_db",
    "portal.sessions.cached_db",
]
# Cannot be left out alone: the ones after them need what they set on the request.
NEEDED = {
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
}


def handler_with(**overrides):
    from django.core.handlers.wsgi import WSGIHandler
    from django.test.utils import override_settings

    with override_settings(**overrides):
        return WSGIHandler()  # reads MIDDLEWARE and SESSION_ENGINE now


def timed(calls: list, requests: int, rounds: int) -> list[float]:
    """Median CPU ms per call of each variant, the variants taking turns (``cpu.measure``)."""
    return [statistics.median(cpu_ms) for cpu_ms in cpu.measure(calls, requests, rounds)]


def context_processor_costs(cookie: str, requests: int) -> list[tuple[str, float]]:
    """Each context processor with a client page's request (the middleware ran), its lazy
    values evaluated."""
    from django.conf import settings
    from django.contrib.auth import get_user
    from django.contrib.sessions.backends.base import SessionBase
    from django.test import RequestFactory
    from django.urls import resolve
    from django.utils.module_loading import import_string

    from portal.offices.models import Office

    names = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    store = __import__(settings.SESSION_ENGINE, fromlist=["SessionStore"]).SessionStore
    out = []
    for name in names:
        processor = import_string(name)
        samples = []
        for i in range(requests + 5):
            request = RequestFactory().get("/", HTTP_HOST="127.0.0.1")
            request.session = store(cookie)
            request.user = get_user(request)
            request.resolver_match = resolve("/")
            if i == 0:
                assert isinstance(request.session, SessionBase) and request.user.is_authenticated
            started = time.process_time()
            values = processor(request)
            for value in values.values():
                value.__class__  # noqa: B018 - evaluates a lazy object, as a page showing it does
            elapsed = (time.process_time() - started) * 1000
            if i >= 5:
                samples.append(elapsed)
        out.append((name, statistics.median(samples)))
    Office.cached()  # leave the cache warm as a running server has it
    return out


def prepared_reads(cookie: str, paths: list[str], requests: int, rounds: int) -> list[dict]:
    """Each page with the session and user read through Django's ORM, then through the SQL
    built once, taking turns in the same process."""
    from django.contrib.auth.base_user import BaseUserManager
    from django.contrib.sessions.backends.db import SessionStore as DjangoStore
    from django.core.handlers.wsgi import WSGIHandler

    from portal import sessions
    from portal.accounts.models import UserManager

    prepared = (UserManager.get, sessions.PreparedRead._get_session_from_db)
    orm = (BaseUserManager.get, DjangoStore._get_session_from_db)

    def use(methods) -> None:
        UserManager.get, sessions.PreparedRead._get_session_from_db = methods

    handler = WSGIHandler()
    samples: dict[tuple[str, str], list[float]] = {}
    try:
        for path in paths:
            call = cpu.make_call(handler, path, cookie)
            for _ in range(5):
                call()
            for _ in range(rounds):
                for name, methods in (("orm", orm), ("prepared", prepared)):
                    use(methods)
                    for _ in range(max(1, requests // rounds)):
                        started = time.process_time()
                        call()
                        elapsed = (time.process_time() - started) * 1000
                        samples.setdefault((path, name), []).append(elapsed)
    finally:
        use(prepared)
    return [
        {
            "path": path,
            "orm_ms": statistics.median(samples[(path, "orm")]),
            "prepared_ms": statistics.median(samples[(path, "prepared")]),
        }
        for path in paths
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    args = parser.parse_args()

    state_file = cpu.WORK / "state.json"
    if state_file.exists():
        state = json.loads(state_file.read_text())
    else:
        state = cpu.prepare(0.02, os.environ.get("DATABASE_URL") or None)
    os.environ.update(state["env"])
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings

    def log_in_checked() -> str:
        """The heavy client's session cookie; checked: a session that did not load would make
        the liveness view cheaper."""
        from django.contrib.auth import get_user
        from django.test import RequestFactory

        value = cpu.log_in(f"zwaar1@{cpu.DOMAIN}")
        request = RequestFactory().get("/")
        request.session = __import__(
            settings.SESSION_ENGINE, fromlist=["SessionStore"]
        ).SessionStore(value)
        assert get_user(request).is_authenticated, settings.SESSION_ENGINE
        return value

    cookie = log_in_checked()
    full = list(settings.MIDDLEWARE)
    print(
        f"Middleware cost per request, {connection.vendor}, liveness view with a client session, "
        f"median of {args.requests}, load average {cpu.load_average()}",
        flush=True,
    )
    result: dict = {"vendor": connection.vendor, "middleware": full}

    # The stack built up one at a time.
    handlers = [handler_with(MIDDLEWARE=full[:k]) for k in range(len(full) + 1)]
    calls = [cpu.make_call(h, "/health/live/", cookie) for h in handlers]
    medians = timed(calls, args.requests, args.rounds)
    print("\nThe stack built up (liveness view, first k middleware):")
    print(f"  {'none (the view alone)':<58} {medians[0]:6.3f} ms")
    prefix = []
    for k, name in enumerate(full, start=1):
        added = medians[k] - medians[k - 1]
        prefix.append({"middleware": name, "cumulative_ms": medians[k], "added_ms": added})
        print(f"  + {name:<56} {medians[k]:6.3f} ms  ({added:+.3f})")
    result["built_up"] = {"view_alone_ms": medians[0], "steps": prefix}

    # The stack minus one.
    leave_out = [name for name in full if name not in NEEDED]
    handlers = [handler_with(MIDDLEWARE=full)] + [
        handler_with(MIDDLEWARE=[m for m in full if m != name]) for name in leave_out
    ]
    calls = [cpu.make_call(h, "/health/live/", cookie) for h in handlers]
    medians = timed(calls, args.requests, args.rounds)
    print(f"\nThe whole stack minus one (whole stack {medians[0]:.3f} ms):")
    minus = []
    for name, median in zip(leave_out, medians[1:], strict=True):
        minus.append({"middleware": name, "without_ms": median, "saves_ms": medians[0] - median})
        print(f"  - {name:<56} {median:6.3f} ms  (saves {medians[0] - median:+.3f})")
    result["minus_one"] = {"full_ms": medians[0], "rows": minus}

    # Session engines: a login through the form with each, so each session lives where that
    # engine keeps it.
    handlers, calls = [], []
    for engine in ENGINES:
        with override_settings(SESSION_ENGINE=engine):
            handlers.append(handler_with())
            calls.append(cpu.make_call(handlers[-1], "/health/live/", log_in_checked()))
    medians = timed(calls, args.requests, args.rounds)
    print("\nSession engines (whole stack, liveness view):")
    engines = []
    for engine, median in zip(ENGINES, medians, strict=True):
        engines.append({"engine": engine, "ms": median})
        print(f"  {engine:<58} {median:6.3f} ms")
    result["engines"] = engines

    print("\nContext processors (a client page's request, lazy values evaluated):")
    processors = []
    for name, median in context_processor_costs(cookie, args.requests // 4):
        processors.append({"context_processor": name, "ms": median})
        print(f"  {name:<58} {median:6.3f} ms")
    result["context_processors"] = processors

    print("\nSession and user read through the ORM and prepared (same process, taking turns):")
    paths = ["/health/live/", "/", f"/dossiers/{state['heavy_dossier']}/documenten/"]
    rows = prepared_reads(cookie, paths, args.requests // 2, args.rounds)
    for row in rows:
        print(
            f"  {row['path']:<40} ORM {row['orm_ms']:6.3f} ms  prepared {row['prepared_ms']:6.3f}"
            f" ms  ({row['prepared_ms'] - row['orm_ms']:+.3f})"
        )
    result["prepared_reads"] = rows
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
