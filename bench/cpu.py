"""CPU time per request of the benchmarked pages, in-process (issue 9): a quick, repeatable
measure of what `make bench` (gunicorn + wrk) measures as requests/s.

    .venv/bin/python bench/cpu.py                    # scale 0.02, SQLite, 60 requests per page
    .venv/bin/python bench/cpu.py --reuse            # the data of the previous run (no generation)
    .venv/bin/python bench/cpu.py --profile /dossiers/1/documenten/   # + a pyinstrument profile
    make bench-cpu

Steps: a throw-away VAR_DIR (bench/work-cpu/), SQLite there (or the PostgreSQL database of
``DATABASE_URL``, dropped and created: its name must contain "bench"), migrate,
``generate_data --scale N --force`` — the same environment as bench/pages.py (``DEBUG=0``,
plain HTTP, ``DB_CONN_MAX_AGE=60``). Then in this process: log the heavy client in through the
login form, and the staff user through the form and the TOTP code step; call Django's
``WSGIHandler`` (every middleware, as under gunicorn) with each session cookie, as wrk does.
Per page: a few warm-up requests, then ``--requests`` requests, each timed with
``time.process_time`` (CPU of this process; less disturbed than wall time by other work on a
shared machine). The median is reported, with the liveness view's median divided by it (the
ratio to the portal's own liveness view that wrk's requests/s would show if the pages were
CPU-bound), against the goals in CPU ms: the liveness view with a session ≤ 0.5, home ≤ 3, the
dossier tabs ≤ 6, the staff inbox ≤ 7.
Prints a table; ``--json FILE`` also writes the figures.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "src"))

from pages import (  # noqa: E402
    DOMAIN,
    PASSWORD,
    app_environment,
    dev_app,
    fresh_postgres,
    load_average,
    manage,
    staff_credentials,
)

WORK = BENCH / "work-cpu"
# CPU per request (issue 16): the liveness view with a session, home, the dossier tabs, the
# staff inbox.
GOAL_MS = {"floor": 0.5, "home": 3.0, "tab": 6.0, "staff inbox": 7.0}


def goal_ms(label: str) -> float | None:
    return next((ms for key, ms in GOAL_MS.items() if label.startswith(key)), None)


def prepare(scale: float, database_url: str | None, offices: int = 1) -> dict[str, str]:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    env = app_environment(WORK, database_url)
    if database_url:
        fresh_postgres(database_url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    generated = manage(
        dev_app(env), "generate_data", "--scale", str(scale), "--offices", str(offices), "--force"
    )
    totp_key, api_token = staff_credentials(env)
    state = {
        "env": env,
        "scale": scale,
        "offices": offices,
        "heavy_dossier": int(re.search(r"heavy dossier:\s+(\d+)", generated).group(1)),
        "questionnaire": re.search(r"questionnaire:\s+(\S+)", generated).group(1),
        "totp_key": totp_key,
        "api_token": api_token,
    }
    (WORK / "state.json").write_text(json.dumps(state, indent=1))
    return state


def log_in(email: str, totp_key: str | None = None) -> str:
    """Through the real login form (and the code step for staff); the session cookie."""
    from django.conf import settings
    from django.test import Client
    from django_otp.oath import totp

    client = Client(HTTP_HOST="127.0.0.1")
    response = client.post("/inloggen/", {"username": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    if totp_key:
        code = f"{totp(bytes.fromhex(totp_key)):06d}"
        response = client.post("/inloggen/code/", {"code": code})
        assert response.status_code == 302, response.status_code
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def make_call(handler, path: str, credential: str | None):
    from django.conf import settings

    path, _, query = path.partition("?")
    base = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }
    if credential and credential.startswith("kp_"):
        base["HTTP_AUTHORIZATION"] = f"Bearer {credential}"
    elif credential:
        base["HTTP_COOKIE"] = f"{settings.SESSION_COOKIE_NAME}={credential}"
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = int(status.split()[0])

    def call() -> tuple[int, int]:
        environ = dict(base, **{"wsgi.input": io.BytesIO(b"")})
        response = handler(environ, start_response)
        try:
            size = sum(len(chunk) for chunk in response)
        finally:
            if hasattr(response, "close"):
                response.close()
        return seen["status"], size

    return call


def measure(calls: list, requests: int, rounds: int) -> list[list[float]]:
    """CPU ms of each request, per endpoint. The endpoints take turns, ``requests // rounds``
    requests each per round: a burst of load from elsewhere on the machine then weighs on all
    of them alike instead of on whichever page happened to run at that moment."""
    for call in calls:
        for _ in range(3):
            status, _size = call()
        if status != 200:
            raise SystemExit(f"answered {status}, not 200: a broken measurement")
    samples: list[list[float]] = [[] for _ in calls]
    per_round = max(1, requests // rounds)
    for _ in range(rounds):
        for call, cpu in zip(calls, samples, strict=True):
            for _ in range(per_round):
                started = time.process_time()
                call()
                cpu.append((time.process_time() - started) * 1000)
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument(
        "--offices", type=int, default=1, help="spread the data over this many offices"
    )
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--reuse", action="store_true", help="the data of the previous run")
    parser.add_argument("--only", help="measure only the paths containing this text")
    parser.add_argument("--profile", metavar="PATH", help="a pyinstrument profile of one page")
    parser.add_argument("--json", metavar="FILE", help="also write the figures to FILE")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL") or None
    state_file = WORK / "state.json"
    if args.reuse and state_file.exists():
        state = json.loads(state_file.read_text())
    else:
        state = prepare(args.scale, database_url, args.offices)
    os.environ.update(state["env"])
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"

    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    handler = WSGIHandler()
    # The sessions of the previous run while they last (a TOTP code works only once per 30 s).
    sessions = state.get("sessions", {})
    if not sessions or any(
        make_call(handler, path, sessions.get(who))()[0] != 200
        for who, path in [("client", "/"), ("staff", "/kantoor/")]
    ):
        sessions = {
            "client": log_in(f"zwaar1@{DOMAIN}"),
            "staff": log_in(f"notaris@{DOMAIN}", totp_key=state["totp_key"]),
        }
        state["sessions"] = sessions
        state_file.write_text(json.dumps(state, indent=1))
    client, staff = sessions["client"], sessions["staff"]
    d = state["heavy_dossier"]
    endpoints = [
        ("floor: /health/live/", "/health/live/", client),
        ("login page (anonymous)", "/inloggen/", None),
        ("home", "/", client),
        ("dossier list", "/dossiers/", client),
        ("dossier search ?q=straat", "/dossiers/?q=straat", client),
        ("tab correspondence", f"/dossiers/{d}/", client),
        ("tab documents", f"/dossiers/{d}/documenten/", client),
        ("tab supplied", f"/dossiers/{d}/aangeleverd/", client),
        ("tab messages", f"/dossiers/{d}/berichten/", client),
        ("actions list", "/acties/", client),
        ("questionnaire page", state["questionnaire"], client),
        ("staff inbox", "/kantoor/", staff),
        ("API list", "/api/v1/dossiers/", state["api_token"]),
    ]
    if args.profile:
        from pyinstrument import Profiler

        credential = next((c for _l, p, c in endpoints if p == args.profile), client)
        call = make_call(handler, args.profile, credential)
        for _ in range(5):
            call()
        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(args.requests):
            call()
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
        return 0

    print(
        f"CPU per request, {connection.vendor}, scale {state['scale']} over "
        f"{state.get('offices', 1)} office(s), "
        f"median of {args.requests}, load average {load_average()}"
    )
    chosen = [
        (label, path, credential)
        for label, path, credential in endpoints
        if not args.only or args.only in path or label.startswith("floor")
    ]
    calls = [make_call(handler, path, credential) for _label, path, credential in chosen]
    samples = measure(calls, args.requests, args.rounds)
    rows = []
    floor = statistics.median(samples[0])
    for (label, path, _credential), call, cpu in zip(chosen, calls, samples, strict=True):
        median = statistics.median(cpu)
        row = {
            "name": label,
            "path": path,
            "cpu_ms_median": round(median, 3),
            "cpu_ms_p90": round(statistics.quantiles(cpu, n=10)[-1], 3),
            "bytes": call()[1],
            "ratio": round(floor / median, 3),
            "goal_ms": goal_ms(label),
        }
        rows.append(row)
        goal = row["goal_ms"]
        verdict = ""
        if goal is not None:
            verdict = f"  goal ≤ {goal} ms: {'met' if median <= goal else 'MISSED'}"
        print(
            f"  {label:<28} {median:7.2f} ms  (p90 {row['cpu_ms_p90']:6.2f})"
            f"  ratio {row['ratio']:.2f}  {row['bytes']:>7} bytes{verdict}",
            flush=True,
        )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"vendor": connection.vendor, "rows": rows}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
