"""What PostgreSQL's row-level security costs the pages (R-TEN-2): the same pages with the
policies on and off, in one run, as a ratio.

    .venv/bin/python bench/rls.py                  # scale 0.02, postgres …/kp_rls_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x_bench .venv/bin/python bench/rls.py
    .venv/bin/python bench/rls.py --rounds 10 --write-results

Steps: the environment of ``bench/cpu.py`` in its own work folder ``bench/work-rls/``; the
database of ``DATABASE_URL`` dropped and made again (its name must contain "bench"), migrated,
``generate_data --scale N`` for the first office. Then a role like the application's (login,
no superuser: a superuser is never held to a policy) is granted its rights
(``portal.core.rls``), and this process serves the pages through Django's ``WSGIHandler`` as
that role, the heavy client and the staff user logged in. The rounds alternate: policies on
(as migrated: enabled, forced), then off (``DISABLE ROW LEVEL SECURITY`` on every table, by
the superuser on a second connection), each page ``--requests`` times per round, timed by the
wall clock (the policies' work is the database server's, not this process's CPU). Reported:
per page the median wall ms on and off and their ratio (on ÷ off), the geometric mean of the
ratios, and the time of handing an office to the connection (one ``set_config`` round trip,
paid in both settings, once per change of office).
``--write-results`` also writes ``bench/results/rls-<date>.json`` and the figure in
``bench/RESULTS.md`` (its own section, between markers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import math
import os
import re
import shutil
import statistics
import sys
import time
import urllib.parse
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "src"))

import cpu  # noqa: E402
from pages import DOMAIN, app_environment, dev_app, fresh_postgres, load_average, manage  # noqa: E402
from sections import write_section  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/kp_rls_bench"
MARK_START = "<!-- rls.py: start -->"
MARK_END = "<!-- rls.py: end -->"


def prepare(scale: float, database_url: str, offices: int = 1) -> dict:
    """A fresh database, migrated, with ``generate_data`` run for the first office (in this
    process, as the superuser of ``database_url``), the staff member's second factor and an
    API token; this process's Django is set up on it."""
    work = BENCH / "work-rls"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = dev_app(app_environment(work, database_url))
    fresh_postgres(database_url)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.accounts.models import User
    from portal.core import tenancy
    from portal.integrations.models import ApiToken
    from portal.offices.models import Office, OfficeHost

    with tenancy.cross_office():
        office = Office.first_or_create()
        OfficeHost.objects.get_or_create(name="127.0.0.1", defaults={"office": office})
    with tenancy.office_scope(office):
        out = io.StringIO()
        call_command(
            "generate_data", "--scale", str(scale), "--offices", str(offices), "--force", stdout=out
        )
        generated = out.getvalue()
        staff = User.objects.get(email=f"notaris@{DOMAIN}")
        device = TOTPDevice.objects.create(user=staff, name="bench", confirmed=True)
        token = ApiToken(office=office, name="bench", acting_user=staff)
        raw = token.issue()
        token.save()
    return {
        "scale": scale,
        "offices": offices,
        "heavy_dossier": int(re.search(r"heavy dossier:\s+(\d+)", generated).group(1)),
        "totp_key": device.key,
        "api_token": raw,
    }


def app_role(url: str) -> str:
    """Make (or find) a role like the application's for the database of ``url`` (login, no
    superuser, owns nothing) and grant it its rights; its name."""
    import psycopg

    from portal.core import rls

    role = urllib.parse.urlparse(url).path.lstrip("/") + "_app"
    with psycopg.connect(url, autocommit=True) as admin:
        if not admin.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone():
            admin.execute(f'create role "{role}" login nosuperuser nobypassrls')
        with admin.cursor() as cursor:
            rls.grant_app_role(cursor, role)
    return role


def switch(admin, tables: list[str], on: bool) -> None:
    for table in tables:
        action = "enable" if on else "disable"
        admin.execute(f'alter table "{table}" {action} row level security')


def write_results(report: dict) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = BENCH / "results" / f"rls-{stamp}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=1))
    lines = [
        MARK_START,
        f"## Row-level security — postgresql {report['server']}, scale {report['scale']}, "
        f"{report.get('offices', 1)} office(s)",
        "",
        f"`bench/results/{out.name}` · {report['started']} · written by `bench/rls.py` · "
        f"{report['rounds']} rounds × {report['requests']} requests per page and setting, "
        f"alternating on/off · load average before {report['load_before']}, "
        f"after {report['load_after']}",
        "",
        "The pages in-process (Django's `WSGIHandler`, every middleware) as the application's "
        "role (no superuser); *on*: the policies as migrated (enabled, forced), *off*: "
        "`DISABLE ROW LEVEL SECURITY` on the same tables, in the same run. Wall-clock medians.",
        "",
        "| page | on ms | off ms | on ÷ off |",
        "|---|---:|---:|---:|",
        *[
            f"| {row['name']} `{row['path']}` | {row['on_ms']} | {row['off_ms']} | {row['ratio']} |"
            for row in report["rows"]
        ],
        "",
        f"**Row-level security costs the pages a factor {report['geomean_ratio']}** "
        "(geometric mean of on ÷ off; 1 = free; below 1 is noise). Handing the office to the "
        f"connection (one `set_config` round trip per change of office, in both settings): "
        f"{report['set_config_ms']} ms.",
        MARK_END,
    ]
    write_section(BENCH / "RESULTS.md", lines, MARK_START, MARK_END)
    print(f"written: {out.relative_to(ROOT)}, bench/RESULTS.md")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=0.02)
    parser.add_argument(
        "--offices", type=int, default=1, help="spread the data over this many offices"
    )
    parser.add_argument("--requests", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--write-results", action="store_true")
    args = parser.parse_args()

    database_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not database_url.startswith("postgres"):
        raise SystemExit("row-level security is PostgreSQL's: DATABASE_URL must be one")
    state = prepare(args.scale, database_url, args.offices)

    import psycopg
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from portal.core import rls, tenancy
    from portal.offices.models import Office

    # From here on this process is the application: its role, held to the policies.
    role = app_role(database_url)
    connection.close()
    connection.settings_dict["USER"] = role
    connection.settings_dict["PASSWORD"] = ""
    handler = WSGIHandler()
    sessions = {
        "client": cpu.log_in(f"zwaar1@{DOMAIN}"),
        "staff": cpu.log_in(f"notaris@{DOMAIN}", totp_key=state["totp_key"]),
    }
    with connection.cursor() as cursor:
        cursor.execute("select current_user, current_setting('is_superuser')")
        user, superuser = cursor.fetchone()
    assert superuser == "off", f"{user} is a superuser: the policies would not apply"
    d = state["heavy_dossier"]
    client, staff = sessions["client"], sessions["staff"]
    endpoints = [
        ("home", "/", client),
        ("dossier list", "/dossiers/", client),
        ("dossier search ?q=straat", "/dossiers/?q=straat", client),
        ("tab correspondence", f"/dossiers/{d}/", client),
        ("tab documents", f"/dossiers/{d}/documenten/", client),
        ("actions list", "/acties/", client),
        ("staff inbox", "/kantoor/", staff),
        ("API list", "/api/v1/dossiers/", state["api_token"]),
    ]
    calls = [cpu.make_call(handler, path, credential) for _l, path, credential in endpoints]
    tables = [*rls.office_tables(), *rls.linked_tables()]
    load_before = load_average()
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    samples: dict[bool, list[list[float]]] = {True: [[] for _ in calls], False: [[] for _ in calls]}
    sizes: dict[bool, list[int]] = {}
    with psycopg.connect(database_url, autocommit=True) as admin:
        try:
            for round_number in range(args.rounds * 2):
                on = round_number % 2 == 0
                switch(admin, tables, on)
                # The setting is what it says: with no office, the policies hide every row.
                with tenancy.no_office(), connection.cursor() as cursor:
                    cursor.execute("select count(*) from dossiers_dossier")
                    assert (cursor.fetchone()[0] == 0) == on, "row-level security not switched"
                for index, call in enumerate(calls):
                    status, size = call()  # warm-up, and the plan made under this setting
                    if status != 200:
                        raise SystemExit(f"{endpoints[index][1]} answered {status}, not 200")
                    sizes.setdefault(on, []).append(size)
                    for _ in range(args.requests):
                        began = time.perf_counter()
                        call()
                        samples[on][index].append((time.perf_counter() - began) * 1000)
        finally:
            switch(admin, tables, True)
        server = admin.execute("show server_version").fetchone()[0]
    with tenancy.office_scope(Office.first_or_create()):
        connection.ensure_connection()
        raw = connection.connection
        times = []
        with raw.cursor() as cursor:
            for n in range(200):
                began = time.perf_counter()
                cursor.execute(rls.SET_SQL, [str(n % 2 + 1), ""])
                times.append((time.perf_counter() - began) * 1000)
        connection.close()  # its setting is no longer the context's
    set_ms = statistics.median(times)
    print(f"handing the office to the connection: {set_ms:.3f} ms (median of 200)")
    rows = []
    for (label, path, _c), on_ms, off_ms in zip(
        endpoints, samples[True], samples[False], strict=True
    ):
        on, off = statistics.median(on_ms), statistics.median(off_ms)
        rows.append(
            {
                "name": label,
                "path": path,
                "on_ms": round(on, 2),
                "off_ms": round(off, 2),
                "ratio": round(on / off, 3),
            }
        )
        print(f"  {label:<26} on {on:7.2f} ms  off {off:7.2f} ms  on÷off {on / off:.3f}")
    geomean = math.exp(statistics.mean(math.log(row["ratio"]) for row in rows))
    print(f"row-level security: on ÷ off = {geomean:.3f} (geometric mean over {len(rows)} pages)")
    report = {
        "kind": "rls",
        "server": re.sub(r"\s*\(.*\)", "", server),
        "scale": state["scale"],
        "offices": state["offices"],
        "rounds": args.rounds,
        "requests": args.requests,
        "started": started,
        "load_before": load_before,
        "load_after": load_average(),
        "rows": rows,
        "geomean_ratio": round(geomean, 3),
        "set_config_ms": round(set_ms, 3),
    }
    if args.write_results:
        write_results(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
