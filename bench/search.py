"""Dossier search at scale (issue 9; goal: ≤ 20 ms median at 50,000 dossiers).

Run by bench/pages.py against its freshly generated database (the environment says which),
or by hand with the same environment (``DJANGO_SETTINGS_MODULE``, ``DATABASE_URL``, …)::

    DEBUG=1 VAR_DIR=… .venv/bin/python bench/search.py

What is timed is what the dossier list does with ``?q=``: ``visible_to(user).search(q)``, its
count (the paginator) and its first page of 25 rows (status joined, newest first). Two paths:
the client path (the heavy client, 200 dossiers) and office-wide (``Dossier.objects.search``,
all dossiers: what the staff workspace and the admin search). For each a set of partial
queries (common, rare, a number prefix, none); every (query, path) is timed ``--repeat`` times
after one warm-up; the figure is the median over all of them. On PostgreSQL the office-wide
path is also timed with the trigram indexes dropped (in a transaction that is rolled back):
before/after in the same run, with both query plans. Prints JSON on stdout.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

QUERIES = ["straat", "dorpsstr", "jansen", "korenbloem", "testament", "2024.001", "xyzzy"]
TRIGRAM_INDEXES = ["dossiers_dossier_search_trgm"]
GOAL_MS = 20.0


def page_of(qs):
    qs = qs.select_related("status").order_by("-created_at", "-pk")
    return qs.count(), list(qs[:25])


def time_path(make_qs, repeat: int) -> dict:
    per_query = {}
    everything = []
    for q in QUERIES:
        page_of(make_qs(q))  # warm-up
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            count, _rows = page_of(make_qs(q))
            times.append((time.perf_counter() - started) * 1000)
        per_query[q] = {"matches": count, "median_ms": round(statistics.median(times), 2)}
        everything += times
    return {
        "median_ms": round(statistics.median(everything), 2),
        "p90_ms": round(statistics.quantiles(everything, n=10)[-1], 2),
        "queries": per_query,
    }


def explain(qs) -> str:
    return qs.order_by("-created_at", "-pk")[:25].explain(
        **({"analyze": True} if connection_vendor() == "postgresql" else {})
    )


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection, transaction

    from portal.accounts.models import User
    from portal.core import tenancy
    from portal.dossiers.models import Dossier
    from portal.offices.models import Office

    # The office of the benchmark's requests (generate_data's office 1, at 127.0.0.1), for the
    # rest of this short-lived process.
    scope = tenancy.office_scope(Office.for_host("127.0.0.1"))
    scope.__enter__()

    heavy = User.objects.get(email="zwaar1@bench.klantportaal.test")
    result = {
        "dossiers": Dossier.objects.count(),
        "vendor": connection.vendor,
        "repeat": args.repeat,
        "goal_ms": GOAL_MS,
        "client": time_path(
            lambda q: Dossier.objects.visible_to(heavy).search(q, few=True), args.repeat
        ),
        "office": time_path(lambda q: Dossier.objects.search(q), args.repeat),
        "sql": str(Dossier.objects.search("dorpsstr").query),
        "plan_office": explain(Dossier.objects.search("dorpsstr")),
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s)", [TRIGRAM_INDEXES]
            )
            present = [row[0] for row in cursor.fetchall()]
        result["trigram_indexes"] = present
        if present:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    for name in present:
                        cursor.execute(f'DROP INDEX "{name}"')
                result["office_without_trigram"] = time_path(
                    lambda q: Dossier.objects.search(q), max(3, args.repeat // 3)
                )
                result["plan_office_without_trigram"] = explain(Dossier.objects.search("dorpsstr"))
                transaction.set_rollback(True)
    result["summary"] = {
        "client_median_ms": result["client"]["median_ms"],
        "office_median_ms": result["office"]["median_ms"],
        "office_without_trigram_median_ms": result.get("office_without_trigram", {}).get(
            "median_ms"
        ),
    }
    json.dump(result, sys.stdout, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
