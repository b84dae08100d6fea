"""Write bench/RESULTS.md from the newest results in bench/results/ (issue 9).

It takes the newest ``pages-sqlite-*``, ``pages-postgresql-*``, ``transfer-*``, ``pdf-*`` and
``export-*`` JSON files (whichever exist) and appends bench/NOTES.md, the hand-written findings
(what missed a goal, the profile, what was changed). Run by ``make bench``; by hand:
``bench/report.py``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"


def newest(pattern: str) -> tuple[Path, dict] | None:
    files = sorted(RESULTS.glob(pattern))
    if not files:
        return None
    return files[-1], json.loads(files[-1].read_text())


def ok(flag: bool) -> str:
    return "yes" if flag else "**no**"


def pages_section(path: Path, data: dict) -> list[str]:
    if "references" not in data:
        return old_pages_section(path, data)
    m, db = data["machine"], data["database"]
    bare, live = data["bare_requests_per_s"], data["liveness_requests_per_s"]
    out = [
        f"## Pages — {db['vendor']} {db['version']}, scale {data['scale']}",
        "",
        f"`{path.relative_to(BENCH.parent)}` · {data['date']} · {m['cpu']}, {m['cores']} cores, "
        f"{m['ram_gib']} GiB RAM · gunicorn {data['gunicorn_workers']} sync workers · wrk "
        f"2 threads, {data['connections']} connections, {data['duration_s']} s per endpoint · "
        f"load average before {data['load_average_before']}, after "
        f"{data['load_average_after']} · `{data['settings']}`"
        + (f" · `REDIS_URL` set: {data['redis']}" if data.get("redis") else ""),
        "",
        f"Floor: a bare one-view Django app (`bench/bare/`: no middleware, no database; the same "
        f"Django and gunicorn), {bare['min']:.0f}–{bare['max']:.0f} req/s over the run (median "
        f"{bare['median']:.0f}). Second reference: the portal's liveness view (the whole "
        f"middleware stack with the client's session, no query of its own), "
        f"{live['min']:.0f}–{live['max']:.0f} req/s (median {live['median']:.0f}). Both are "
        "measured again before every page; a page's ratios divide it by the mean of the runs "
        "just before and after it.",
        "",
        "| endpoint | req/s | p50 ms | p99 ms | ratio to bare | ratio to liveness | non-200 "
        "| goal |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
        f"| liveness ÷ bare (median of the runs) | | | | "
        f"{live['median'] / bare['median']:.3f} | 1 | | |",
    ]
    for row in data["pages"]:
        if "skipped" in row:
            out.append(
                f"| {row['name']} `{row['path']}` | — | — | — | — | — | — "
                f"| skipped: {row['skipped']} |"
            )
            continue
        goal = row.get("goal_ratio")
        if goal is None:
            verdict = "(anonymous)"
        else:
            verdict = f"≥ {goal}: {ok(row['ratio_to_bare'] >= goal)}"
            if goal >= 0.2:
                verdict += f", p99 ≤ 100 ms: {ok(row['p99_ms'] <= 100)}"
        out.append(
            f"| {row['name']} `{row['path']}` | {row['requests_per_s']:.1f} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['ratio_to_bare']:.3f} | {row['ratio_to_liveness']:.3f} "
            f"| {row['non_200']} | {verdict} |"
        )
    return out + search_section(data)


def old_pages_section(path: Path, data: dict) -> list[str]:
    m, db = data["machine"], data["database"]
    out = [
        f"## Pages — {db['vendor']} {db['version']}, scale {data['scale']}",
        "",
        f"`{path.relative_to(BENCH.parent)}` · {data['date']} · {m['cpu']}, {m['cores']} cores, "
        f"{m['ram_gib']} GiB RAM · gunicorn {data['gunicorn_workers']} sync workers · wrk "
        f"2 threads, {data['connections']} connections, {data['duration_s']} s per endpoint · "
        f"load average before {data['load_average_before']}, after "
        f"{data['load_average_after']} · data generated in {data['generate_seconds']} s · "
        f"`{data['settings']}` · floor (mean of first and last liveness run): "
        f"{data.get('floor_requests_per_s', data['pages'][0]['requests_per_s'])} req/s",
        "",
        "| endpoint | req/s | p50 ms | p99 ms | ratio to floor | non-200 "
        "| goal (≥ 0.2, p99 ≤ 100 ms) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for row in data["pages"]:
        if "skipped" in row:
            out.append(
                f"| {row['name']} `{row['path']}` | — | — | — | — | — | skipped: {row['skipped']} |"
            )
            continue
        is_floor = row["path"] == "/health/live/"
        goal = (
            "(the floor)"
            if is_floor
            else f"ratio {ok(row['ratio_to_floor'] >= 0.2)}, p99 {ok(row['p99_ms'] <= 100)}"
        )
        if is_floor and row["p99_ms"] > 100:
            goal = "(the floor; its own p99 > 100 ms)"
        out.append(
            f"| {row['name']} `{row['path']}` | {row['requests_per_s']:.1f} | {row['p50_ms']:.1f} "
            f"| {row['p99_ms']:.1f} | {row['ratio_to_floor']:.2f} | {row['non_200']} | {goal} |"
        )
    return out + search_section(data)


def search_section(data: dict) -> list[str]:
    out: list[str] = []
    s = data.get("search")
    if s:
        out += [
            "",
            f"**Dossier search** (in-process, {s['dossiers']:,} dossiers, count + first page of "
            f"25, median over {len(s['client']['queries'])} queries × {s['repeat']}; goal "
            f"≤ {s['goal_ms']} ms): client path (heavy client, 200 dossiers) "
            f"**{s['client']['median_ms']} ms**, office-wide **{s['office']['median_ms']} ms**"
            + (
                ", office-wide without the trigram indexes "
                f"{s['office_without_trigram']['median_ms']} ms"
                if s.get("office_without_trigram")
                else ""
            )
            + ".",
            "",
            "| query | matches (office) | client ms | office ms"
            + (" | office ms without trigram |" if s.get("office_without_trigram") else " |"),
            "|---|---:|---:|---:" + ("|---:|" if s.get("office_without_trigram") else "|"),
        ]
        for q, row in s["office"]["queries"].items():
            line = (
                f"| `{q}` | {row['matches']:,} | {s['client']['queries'][q]['median_ms']} "
                f"| {row['median_ms']} |"
            )
            if s.get("office_without_trigram"):
                line += f" {s['office_without_trigram']['queries'][q]['median_ms']} |"
            out.append(line)
        out += ["", "<details><summary>Query plan, office-wide search for `dorpsstr`</summary>", ""]
        out += ["```", s["plan_office"], "```"]
        if s.get("plan_office_without_trigram"):
            out += ["Without the trigram indexes:", "```", s["plan_office_without_trigram"], "```"]
        out += ["</details>"]
    return out + [""]


def main() -> int:
    lines = [
        "# Benchmark results",
        "",
        "Written by `bench/report.py` from the newest JSON files in `bench/results/`; the "
        "findings at the end are `bench/NOTES.md`. Absolute figures depend on the machine and on "
        "what else runs on it (the load average is recorded with every run): the ratios to a "
        "baseline measured in the same run are what count. The pages run over plain HTTP on "
        "loopback with `SECURE_COOKIES=0 SECURE_SSL_REDIRECT=0 SECURE_HSTS_SECONDS=0` (no "
        "`__Host-` cookies, no HTTPS redirect); otherwise the production settings (`DEBUG=0`).",
        "",
    ]
    for vendor in ("sqlite", "postgresql"):
        found = newest(f"pages-{vendor}-*.json")
        if found:
            lines += pages_section(*found)
        else:
            lines += [f"## Pages — {vendor}", "", "Not run yet.", ""]
    found = newest("transfer-*.json")
    if found:
        path, t = found
        size_mb = t["size_bytes"] / 2**20
        lines += [
            f"## Transfer — {size_mb:.0f} MB "
            f"(`{path.relative_to(BENCH.parent)}`, {t['timestamp']})",
            "",
            "| | MB/s | ratio to disk copy | memory growth MB | goal (≥ 0.5, < 50 MB) |",
            "|---|---:|---:|---:|---|",
            f"| disk copy (baseline) | {t['disk_copy']['mb_s']} | 1.00 | — | |",
            f"| disk copy + fsync | {t['disk_copy_with_fsync']['mb_s']} | "
            f"{t['disk_copy_with_fsync']['mb_s'] / t['disk_copy']['mb_s']:.2f} | — | |",
            f"| SHA-256 of this machine | {t['sha256_mb_s']} | "
            f"{t['sha256_mb_s'] / t['disk_copy']['mb_s']:.2f} | — | |",
        ]
        for kind in ("download", "upload"):
            r = t[kind]
            goal = r["ratio_to_disk_copy"] >= 0.5 and r["memory"]["growth_mb"] < 50
            lines.append(
                f"| {kind}: {r['path']} | {r['mb_s']} | {r['ratio_to_disk_copy']:.2f} | "
                f"{r['memory']['growth_mb']} | {ok(goal)} |"
            )
        lines.append("")
    found = newest("pdf-*.json")
    if found:
        path, p = found
        lines += [
            f"## Questionnaire PDF (`{path.relative_to(BENCH.parent)}`, {p['when']})",
            "",
            f"{p['questions']} questions: **{p['questionnaire_seconds']} s** (goal < "
            f"{p['goal_seconds']} s: {ok(p['goal_met'])}), {p['ratio_to_baseline']} × a one-line "
            f"PDF with the same font ({p['baseline_seconds']} s), best of {p['repeat']}.",
            "",
        ]
    found = newest("export-*.json")
    if found:
        path, e = found
        lines += [
            f"## Data export, R-RET-2 (`{path.relative_to(BENCH.parent)}`, {e['when']})",
            "",
            f'"Mijn gegevens downloaden" of a client with {e["documents"]:,} documents '
            f"({e['stored_mb']} MB) and {e['messages']:,} messages: the ZIP ({e['zip_mb']} MB) "
            f"built in **{e['export_seconds']} s**, {e['ratio_to_baseline']} × appending the "
            f"same files to one file ({e['baseline_seconds']} s); memory growth "
            f"**{e['memory']['growth_mb']} MB** (goal < {e['goal_growth_mb']} MB: "
            f"{ok(e['goal_met'])}). Load average {e['load_average'][0]:.2f}.",
            "",
        ]
    notes = BENCH / "NOTES.md"
    if notes.exists():
        lines += [notes.read_text().rstrip(), ""]
    (BENCH / "RESULTS.md").write_text("\n".join(lines))
    print(f"written {BENCH / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
