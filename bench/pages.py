"""Pages at scale (issue 9): the app under gunicorn the production way, driven by wrk.

    .venv/bin/python bench/pages.py                  # scale 0.2, SQLite
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/klantportaal_bench .venv/bin/python \
        bench/pages.py --scale 1

Steps: a throw-away VAR_DIR (bench/work-<vendor>/), a fresh database (SQLite in that folder, or the
PostgreSQL database named by DATABASE_URL, dropped and created again — its name must contain
"bench"), migrate, collectstatic, ``generate_data --scale N --force``, the search timings
(bench/search.py, in-process), then gunicorn (DEBUG off, several sync workers) on 127.0.0.1.
It logs in through the real login form (plain HTTP: ``SECURE_COOKIES=0 SECURE_SSL_REDIRECT=0``)
and runs ``wrk --latency`` at 32 connections against each endpoint. The floor is a bare one-view
Django app (bench/bare/: no middleware, no database; the same Django, served by a second gunicorn
with the same workers); the portal's own liveness view (no database, the whole middleware stack)
is a second reference. Before every page both references are measured again, and once more at
the end: a page is divided by the mean of the reference runs just before and just after it (the
load of a shared machine drifts during a run). Every endpoint is checked first with one request
(no redirects followed): a 404 means "not built on this branch" and the endpoint is skipped; any
other status than 200 stops the run. During wrk a Lua hook counts every answer that is not a 200
(wrk's own count lets 3xx through, and a redirect to the login page would be a broken
measurement); it must be 0. ``--keep`` keeps the data and ``--reuse`` measures it again without
generating it; ``--only TEXT`` measures the pages whose path contains TEXT.
Results: bench/results/pages-<vendor>-<timestamp>.json; then bench/report.py writes
bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = sys.executable
CONNECTIONS = 32
# Goals against the bare view (issue 16): every authenticated page >= 0.1; the pages clients
# use most >= 0.2 and p99 <= 100 ms at 32 connections.
GOAL_RATIO = 0.2
GOAL_RATIO_OTHERS = 0.1
GOAL_P99_MS = 100.0
MAIN_PAGES = ("/", "/dossiers/")
PASSWORD = "Bench-portaal1"  # noqa: S105 - the generated throw-away accounts' password
DOMAIN = "bench.klantportaal.test"
# The host name of the office the requests reach (generate_data serves its office 1 there).
BENCH_HOST = "127.0.0.1"
DROP_ENV = {
    "MEDIA_ROOT",
    "CELERY_BROKER_URL",
    "EMAIL_URL",
    "REDIS_URL",
    "CLAMAV_URL",
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "DEBUG",
    "PORTAL_DEV_APP",
}
LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; statuses = "" end
function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
    if bad < 4 then statuses = statuses .. status .. " " end
  end
end
function done(summary, latency, requests)
  local total, seen = 0, ""
  for _, t in ipairs(threads) do
    total = total + t:get("bad"); seen = seen .. t:get("statuses")
  end
  io.write(string.format("NON200 %d %s\\n", total, seen))
end
"""


def log(text: str) -> None:
    print(text, flush=True)


def machine() -> dict:
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
    }


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def app_environment(work: Path, database_url: str | None) -> dict[str, str]:
    var = work / "var"
    (var / "media").mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in DROP_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        VAR_DIR=str(var),
        MEDIA_ROOT=str(var / "media"),
        STATIC_ROOT=str(work / "static"),
        DATABASE_URL=database_url or f"sqlite:///{var / 'db.sqlite3'}",
        SECRET_KEY="bench-" + secrets.token_urlsafe(32),
        ALLOWED_HOSTS="127.0.0.1",
        # Plain HTTP on loopback: no __Host- cookies, no HTTPS redirect, no HSTS.
        SECURE_COOKIES="0",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        # Persistent database connections, as a production deployment sets them.
        DB_CONN_MAX_AGE=os.environ.get("DB_CONN_MAX_AGE", "60"),
        LOG_LEVEL="WARNING",
        # wrk drives the API with one token far beyond the production rate per token.
        API_RATE_PER_TOKEN="1000000/s",  # noqa: S106 - a rate, not a secret
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])),
    )
    return env


def dev_app(env: dict[str, str]) -> dict[str, str]:
    """``env`` with the development app (generate_data) installed: for the data step only, the
    measured server runs without it, as in production."""
    return {**env, "PORTAL_DEV_APP": "1"}


def fresh_postgres(url: str) -> str:
    """Drop and create the database named by ``url``; return the server's version."""
    import psycopg

    parts = urllib.parse.urlparse(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop database {name!r}: its name must contain 'bench'")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        return conn.execute("SHOW server_version").fetchone()[0]


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    work: Path, env: dict[str, str], workers: int, app: str = "portal.wsgi:application"
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    name = app.split(".", 1)[0]
    out = (work / f"gunicorn-{name}.log").open("wb")
    server = subprocess.Popen(  # noqa: S603
        [
            PYTHON,
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--backlog",
            "2048",
            "--graceful-timeout",
            "5",
        ],
        cwd=work,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{(work / f'gunicorn-{name}.log').read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/health/live/", timeout=2):  # noqa: S310
                return server, base
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise SystemExit("gunicorn did not start")


def bare_environment(env: dict[str, str]) -> dict[str, str]:
    """The bare one-view Django app (bench/bare/): the portal's environment, its own settings."""
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "bare.settings",
        "PYTHONPATH": os.pathsep.join([str(BENCH), env["PYTHONPATH"]]),
    }


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def log_in(base: str, email: str, totp_key: str | None = None) -> str:
    """Log in through the real form (and, with ``totp_key``, the code step that staff need);
    return the session cookie's value."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar)
    )
    with opener.open(f"{base}/inloggen/", timeout=30) as response:
        page = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not token:
        raise SystemExit("no CSRF token on /inloggen/")
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": email, "password": PASSWORD}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        f"{base}/inloggen/", data=form, headers={"Referer": f"{base}/inloggen/"}
    )
    with opener.open(request, timeout=30) as response:
        response.read()
    if totp_key:
        from django_otp.oath import totp

        with opener.open(f"{base}/inloggen/code/", timeout=30) as response:
            page = response.read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        code = f"{totp(bytes.fromhex(totp_key)):06d}"
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1), "code": code}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            f"{base}/inloggen/code/", data=form, headers={"Referer": f"{base}/inloggen/code/"}
        )
        with opener.open(request, timeout=30) as response:
            response.read()
    for cookie in jar:
        if cookie.name == "sessionid":
            return cookie.value
    raise SystemExit(f"log-in of {email} failed: no session cookie")


def staff_credentials(env: dict[str, str]) -> tuple[str, str]:
    """The generated staff member's second factor (for the workspace) and an integration
    token (for the API), made in the bench's database: (TOTP key in hex, raw API token)."""
    out = manage(
        env,
        "shell",
        "-c",
        "from django_otp.plugins.otp_totp.models import TOTPDevice\n"
        "from portal.accounts.models import User\n"
        "from portal.core import tenancy\n"
        "from portal.integrations.models import ApiToken\n"
        "from portal.offices.models import Office\n"
        # The office the benchmark's requests reach (generate_data: office 1 at 127.0.0.1).
        f"with tenancy.office_scope(Office.for_host('{BENCH_HOST}')):\n"
        f"    staff = User.objects.get(email='notaris@{DOMAIN}')\n"
        "    device = TOTPDevice.objects.create(user=staff, name='bench', confirmed=True)\n"
        "    token = ApiToken(office=Office.current(), name='bench', acting_user=staff)\n"
        "    raw = token.issue(); token.save()\n"
        "    print(device.key, raw)\n",
    )
    totp_key, api_token = out.split()[-2:]
    return totp_key, api_token


def goal_ratio(path: str) -> float | None:
    """The page's goal as a ratio to the bare view: 0.2 for home, the dossier list, the actions
    and a questionnaire page, 0.1 for every other authenticated page, none for the login page."""
    if path == "/inloggen/":
        return None
    if path in MAIN_PAGES or path.startswith("/acties/"):  # the list and a questionnaire
        return GOAL_RATIO
    return GOAL_RATIO_OTHERS


def auth_header(credential: str | None) -> tuple[str, str] | None:
    """A session cookie value, or an API token (``kp_…``), as the request header to send."""
    if not credential:
        return None
    if credential.startswith("kp_"):
        return ("Authorization", f"Bearer {credential}")
    return ("Cookie", f"sessionid={credential}")


def status_of(url: str, cookie: str | None) -> int:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())
    request = urllib.request.Request(url)  # noqa: S310
    header = auth_header(cookie)
    if header:
        request.add_header(*header)
    try:
        with opener.open(request, timeout=60) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def to_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, cookie: str | None, duration: int, lua: Path) -> dict:
    command = [
        "wrk",
        "-t2",
        f"-c{CONNECTIONS}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(lua),
        url,
    ]
    header = auth_header(cookie)
    if header:
        command[1:1] = ["-H", f"{header[0]}: {header[1]}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = to_ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = to_ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors = re.search(r"Socket errors: (.*)", out)
    non200 = re.search(r"NON200 (\d+) ?(.*)", out)
    return {
        "requests_per_s": rps,
        "p50_ms": round(p50, 2),
        "p99_ms": round(p99, 2),
        "requests": requests,
        "non_200": int(non200.group(1)),
        "non_200_statuses": non200.group(2).strip(),
        "socket_errors": errors.group(1) if errors else "",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 0.2)))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", 10)))
    parser.add_argument(
        "--offices",
        type=int,
        default=int(os.environ.get("BENCH_OFFICES", 1)),
        help="spread the data over this many offices (the requests go to office 1)",
    )
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 4)))
    parser.add_argument("--keep", action="store_true", help="keep bench/work-<vendor>/ afterwards")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="the data of the previous run kept with --keep (no generation, no search timings)",
    )
    parser.add_argument("--only", help="measure only the pages whose path contains this text")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install -y wrk)")

    database_url = os.environ.get("DATABASE_URL") or None
    is_pg = bool(database_url and database_url.startswith(("postgres", "postgresql")))
    work = BENCH / ("work-postgresql" if is_pg else "work-sqlite")
    state_file = work / "state.json"
    reuse = args.reuse and state_file.exists()
    if reuse:
        state = json.loads(state_file.read_text())
        env = state["env"]
    else:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        env = app_environment(work, database_url)
    vendor, version = "sqlite", None
    if is_pg:
        import psycopg

        if reuse:
            with psycopg.connect(database_url) as conn:
                version = conn.execute("SHOW server_version").fetchone()[0]
        else:
            version = fresh_postgres(database_url)
        vendor = "postgresql"
    else:
        import sqlite3

        version = sqlite3.sqlite_version
    result: dict = {
        "benchmark": "pages",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "database": {"vendor": vendor, "version": version},
        "scale": state["scale"] if reuse else args.scale,
        "offices": state.get("offices", 1) if reuse else args.offices,
        "connections": CONNECTIONS,
        "duration_s": args.duration,
        "gunicorn_workers": args.workers,
        "load_average_before": load_average(),
        "settings": "DEBUG=0 SECURE_COOKIES=0 SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0 "
        f"DB_CONN_MAX_AGE={env['DB_CONN_MAX_AGE']}",
    }
    log(
        f"pages benchmark: {vendor} {version}, scale {result['scale']} over "
        f"{result['offices']} office(s), load {load_average()}"
    )
    if reuse:
        log(f"reusing the data of {state_file.relative_to(ROOT)}")
        for key in ("generate_seconds", "generate_output", "search"):
            result[key] = state[key]
    else:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        started = time.perf_counter()
        generated = manage(
            dev_app(env),
            "generate_data",
            "--scale",
            str(args.scale),
            "--offices",
            str(args.offices),
            "--force",
        )
        result["generate_seconds"] = round(time.perf_counter() - started, 1)
        result["generate_output"] = generated.splitlines()
        log(generated)

        log("search timings (in-process) …")
        search = subprocess.run(  # noqa: S603
            [PYTHON, str(BENCH / "search.py")], env=env, cwd=ROOT, capture_output=True, text=True
        )
        if search.returncode:
            raise SystemExit(f"bench/search.py failed:\n{search.stdout}{search.stderr}")
        result["search"] = json.loads(search.stdout)
        log(json.dumps(result["search"]["summary"], indent=1))

        totp_key, api_token = staff_credentials(env)
        state = {
            "env": env,
            "scale": args.scale,
            "offices": args.offices,
            "totp_key": totp_key,
            "api_token": api_token,
            **{k: result[k] for k in ("generate_seconds", "generate_output", "search")},
        }
        state_file.write_text(json.dumps(state, indent=1))
    generated = "\n".join(result["generate_output"])
    heavy_dossier = int(re.search(r"heavy dossier:\s+(\d+)", generated).group(1))
    questionnaire = re.search(r"questionnaire:\s+(\S+)", generated).group(1)

    lua = work / "status.lua"
    lua.write_text(LUA)
    servers = []
    try:
        server, base = start_gunicorn(work, env, args.workers)
        servers.append(server)
        bare_server, bare = start_gunicorn(
            work, bare_environment(env), args.workers, app="bare.wsgi:application"
        )
        servers.append(bare_server)
        client = log_in(base, f"zwaar1@{DOMAIN}")
        staff = log_in(base, f"notaris@{DOMAIN}", totp_key=state["totp_key"])
        d = heavy_dossier
        pages = [
            ("login page (anonymous)", "/inloggen/", None),
            ("home", "/", client),
            ("dossier list (200 dossiers)", "/dossiers/", client),
            ("dossier search ?q=straat", "/dossiers/?q=straat", client),
            ("dossier: correspondence tab", f"/dossiers/{d}/", client),
            ("dossier: documents tab", f"/dossiers/{d}/documenten/", client),
            ("dossier: supplied tab", f"/dossiers/{d}/aangeleverd/", client),
            ("dossier: messages tab", f"/dossiers/{d}/berichten/", client),
            ("actions list", "/acties/", client),
            ("questionnaire page", questionnaire, client),
            ("staff inbox", "/kantoor/", staff),
            ("API list", "/api/v1/dossiers/", state["api_token"]),
        ]
        pages = [page for page in pages if not args.only or args.only in page[1]]
        references = [
            ("bare Django view (no middleware, no database)", bare + "/health/live/", None),
            ("portal liveness /health/live/ (no database)", base + "/health/live/", client),
        ]
        # Rounds: the two references, then one page; the references once more at the end. Each
        # page is divided by the mean of the reference runs just before and just after it, so
        # the load of a shared machine, which drifts during a run, weighs on both alike.
        rows: list[dict] = []
        reference_runs: list[list[dict]] = [[], []]

        def measure_references() -> None:
            for runs, (label, url, cookie) in zip(reference_runs, references, strict=True):
                if status_of(url, cookie) != 200:
                    raise SystemExit(f"{url} did not answer 200: a broken measurement")
                run = run_wrk(url, cookie, args.duration, lua)
                runs.append(run)
                log(
                    f"  {label:<48} {run['requests_per_s']:8.1f} req/s"
                    f"  p99 {run['p99_ms']:7.2f} ms  non-200 {run['non_200']}"
                )

        for label, path, cookie in pages:
            url = base + path
            status = status_of(url, cookie)
            row = {"name": label, "path": path, "status": status}
            if status == 404:
                row["skipped"] = "404: not built on this branch"
                log(f"  {label:<48} skipped (404)")
                rows.append(row)
                continue
            if status != 200:
                raise SystemExit(f"{path} answered {status}, not 200: a broken measurement")
            measure_references()
            row["reference_run"] = len(reference_runs[0]) - 1
            row.update(run_wrk(url, cookie, args.duration, lua))
            rows.append(row)
            log(
                f"  {label:<48} {row['requests_per_s']:8.1f} req/s  p50 {row['p50_ms']:7.2f} ms"
                f"  p99 {row['p99_ms']:7.2f} ms  non-200 {row['non_200']}"
            )
        measure_references()
    finally:
        for server in servers:
            stop(server)
    bare_runs, live_runs = reference_runs
    result["references"] = [
        {"name": label, "path": "/health/live/", "runs": runs}
        for (label, _url, _cookie), runs in zip(references, reference_runs, strict=True)
    ]
    for name, runs in (("bare", bare_runs), ("liveness", live_runs)):
        rates = [run["requests_per_s"] for run in runs]
        result[f"{name}_requests_per_s"] = {
            "min": min(rates),
            "median": round(statistics.median(rates), 1),
            "max": max(rates),
            "p99_ms_max": max(run["p99_ms"] for run in runs),
        }
    for row in rows:
        if "requests_per_s" not in row:
            continue
        i = row.pop("reference_run")
        bare_rps = (bare_runs[i]["requests_per_s"] + bare_runs[i + 1]["requests_per_s"]) / 2
        live_rps = (live_runs[i]["requests_per_s"] + live_runs[i + 1]["requests_per_s"]) / 2
        row["bare_requests_per_s"] = round(bare_rps, 1)
        row["liveness_requests_per_s"] = round(live_rps, 1)
        row["ratio_to_bare"] = round(row["requests_per_s"] / bare_rps, 3)
        row["ratio_to_liveness"] = round(row["requests_per_s"] / live_rps, 3)
        goal = goal_ratio(row["path"])
        row["goal_ratio"] = goal
        if goal is not None:
            row["meets_goal"] = bool(
                row["non_200"] == 0
                and row["ratio_to_bare"] >= goal
                and (goal < GOAL_RATIO or row["p99_ms"] <= GOAL_P99_MS)
            )
    result["pages"] = rows
    result["load_average_after"] = load_average()
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"pages-{vendor}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    log(f"written {path.relative_to(ROOT)}")
    for row in rows:
        if "requests_per_s" in row:
            log(
                f"  {row['name']:<40} bare {row['ratio_to_bare']:.3f} (goal {row['goal_ratio']})"
                f"  liveness {row['ratio_to_liveness']:.3f}  p99 {row['p99_ms']:.0f} ms"
            )
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    broken = [
        run.get("name", "a reference") for run in rows + bare_runs + live_runs if run.get("non_200")
    ]
    if broken:
        log(f"BROKEN: answers other than 200 during wrk on {broken}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
