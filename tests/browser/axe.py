"""axe-core in the browser suite (R-X-4, WCAG 2.2 AA): ``assert_no_axe_violations(page, label)``.

axe-core comes from the npm registry, pinned by ``tests/browser/axe/package-lock.json`` and
installed by ``make install-dev`` (``npm ci``) when npm is on the machine; never from a CDN.
Without it the checks are skipped on a developer's machine and fail in CI (``skip_or_fail``).

The product's Content-Security-Policy is left as it is for the page: axe's source is evaluated
through Playwright (``page.evaluate``, the DevTools protocol's ``Runtime.evaluate``), which the
page's CSP does not govern; no ``<script>`` element is added and ``bypass_csp`` is not used.

Every run is recorded in ``RUNS``; ``tests/browser/conftest.py`` prints the figures at the end
of the session.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import skip_or_fail

AXE_JS = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
#: WCAG 2.0, 2.1 and 2.2, levels A and AA (axe tags 2.2's A criteria it checks under wcag22aa).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: How many HTML snippets of each violation the failure message shows.
SNIPPETS = 3


@dataclass(frozen=True)
class AxeRun:
    label: str
    width: int
    language: str
    violations: int


RUNS: list[AxeRun] = []


@functools.cache
def _source() -> str:
    if not AXE_JS.exists():
        skip_or_fail(
            f"axe-core is not installed ({AXE_JS} is missing): `make install-dev` installs it"
            " when npm is on the machine"
        )
    return AXE_JS.read_text(encoding="utf-8")


def axe_available() -> None:
    """Skip (or, in CI, fail) when axe-core is not installed."""
    _source()


def inject(page) -> None:
    """Load axe into the page's main frame, once per document."""
    if page.evaluate("() => typeof window.axe === 'object'"):
        return
    # A function body: Playwright calls it through Runtime.callFunctionOn, not as a page script.
    page.evaluate("() => {\n" + _source() + "\n}")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        raise AssertionError("axe-core did not load into the page")


def run_axe(page, tags: list[str] = TAGS) -> list[dict]:
    """axe's violations on the page as it is now (dialogs opened stay open)."""
    inject(page)
    return page.evaluate(
        """async (tags) => {
            const results = await window.axe.run(document, {
                runOnly: { type: "tag", values: tags },
                resultTypes: ["violations"],
            });
            return results.violations.map((v) => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                helpUrl: v.helpUrl,
                nodes: v.nodes.map((n) => ({
                    target: n.target.map(String).join(" "),
                    html: n.html,
                    summary: n.failureSummary,
                })),
            }));
        }""",
        tags,
    )


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f" [{len(violation['nodes'])} element(s)] {violation['helpUrl']}"
        )
        for node in violation["nodes"][:SNIPPETS]:
            lines.append(f"    at {node['target']}: {node['html'][:200]}")
            if node.get("summary"):
                lines.append("      " + node["summary"].replace("\n", "\n      ")[:400])
    return "\n".join(lines)


def assert_no_axe_violations(page, label: str, *, language: str | None = None) -> None:
    """Run axe with ``TAGS`` on ``page``; fail with a readable list of what it found.
    ``language``: the language the page was asked in (default: its ``<html lang>``)."""
    violations = run_axe(page)
    width = (page.viewport_size or {}).get("width", 0)
    language = language or page.evaluate("() => document.documentElement.lang") or "?"
    RUNS.append(AxeRun(label, width, language, sum(len(v["nodes"]) for v in violations)))
    assert not violations, (
        f"axe: {len(violations)} violation(s) on {label} ({page.url}, {width} px, {language}):\n"
        + describe(violations)
    )


def summary() -> str | None:
    """The figures of the session's axe runs, e.g. "axe: 40 pages × 2 widths × 2 languages =
    160 runs, 0 violations"; None when axe did not run."""
    if not RUNS:
        return None
    pages = len({run.label for run in RUNS})
    widths = len({run.width for run in RUNS})
    languages = len({run.language for run in RUNS})
    violations = sum(run.violations for run in RUNS)
    return (
        f"axe-core ({', '.join(TAGS)}): {pages} pages × {widths} widths × {languages} languages"
        f" = {len(RUNS)} runs, {violations} violations"
    )
