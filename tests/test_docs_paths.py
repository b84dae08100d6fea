"""docs/architecture.md names only what exists: every file, folder, module, class, function,
setting, URL, make target and management command it puts in backticks is found in the code.

No requirement id: this keeps the architecture notes true to the code (a renamed or moved
module fails here until the page follows), not a behaviour of the portal."""

from __future__ import annotations

import builtins
import importlib
import re
from functools import cache
from pathlib import Path

from django.core.management import get_commands
from django.urls import Resolver404, get_resolver, resolve

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
PORTAL = SRC / "portal"
DOC = ROOT / "docs" / "architecture.md"

# Where a bare file name or a name in the text may be found.
CORPUS_GLOBS = [
    "src/**/*.py",
    "src/**/*.html",
    "src/**/*.txt",
    "src/portal/static/**/*.js",
    "src/portal/static/**/*.css",
    "tests/**/*.py",
    "bench/*.py",
]
CORPUS_FILES = ["pyproject.toml", "Makefile", ".ci/run", "README.md", "docs/deployment.md"]
# Files the portal writes when it runs, never in the repository.
MADE_AT_RUN_TIME = {"manifest.json"}
FILE_SUFFIXES = (".py", ".html", ".md", ".toml", ".js", ".css", ".json", ".txt", ".lock")
IDENTIFIER = re.compile(r"^@?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_0-9][A-Za-z0-9_]*)*(\(.*\))?$")


@cache
def corpus() -> str:
    paths = [
        p
        for pattern in CORPUS_GLOBS
        for p in ROOT.glob(pattern)
        if "node_modules" not in p.parts and p != Path(__file__).resolve()
    ]
    paths += [ROOT / name for name in CORPUS_FILES]
    return "\n".join(p.read_text(errors="replace") for p in paths if p.is_file())


@cache
def file_names() -> set[str]:
    return {
        p.name
        for base in (ROOT, SRC, ROOT / "tests", ROOT / "bench", ROOT / "docs")
        for p in (base.rglob("*") if base is not ROOT else base.iterdir())
        if ".venv" not in p.parts and "node_modules" not in p.parts
    }


@cache
def template_dirs() -> list[Path]:
    return [PORTAL / "templates", *PORTAL.glob("*/templates"), *PORTAL.glob("*/jinja2")]


def code_spans(text: str) -> tuple[list[str], list[str]]:
    """The inline code spans of the prose, and the ``portal.…`` names of the fenced blocks."""
    prose, fenced = [], []
    for i, block in enumerate(re.split(r"^```.*$", text, flags=re.MULTILINE)):
        if i % 2:
            fenced += re.findall(r"\bportal(?:\.[a-z_]+)+", block)
        else:
            prose += re.findall(r"`([^`\n]+)`", block)
    return prose, fenced


def appears(word: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", corpus()) is not None


def check_path(span: str) -> str | None:
    if span.startswith(("../", "var/")) or re.search(r"[<*…{]", span):
        return None
    name = span.rstrip("/")
    candidates = [ROOT / name, SRC / name, PORTAL / name, *(d / name for d in template_dirs())]
    # A path inside an app, named in that app's paragraph: templatetags/inbox.py, jinja2/.
    candidates += PORTAL.glob(f"*/{name}")
    if any(c.exists() for c in candidates):
        return None
    return f"no file or folder {span}"


@cache
def routes() -> list[str]:
    """Every URL pattern of the portal, as its route text (``kantoor/dossiers/<int:pk>/``)."""

    def walk(patterns, prefix: str) -> list[str]:
        found = []
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            found.append(route)
            if hasattr(pattern, "url_patterns"):
                found += walk(pattern.url_patterns, route)
        return found

    return walk(get_resolver().url_patterns, "")


def check_url(span: str) -> str | None:
    """A URL of the portal, or the prefix of some (``/api/``)."""
    if "…" in span:
        return None
    try:
        resolve(re.sub(r"<[^>]+>", "1", span))
    except Resolver404:
        if not any(route.startswith(span[1:]) for route in routes()):
            return f"no URL {span}"
    return None


def resolve_dotted(name: str) -> bool:
    """``portal.a.b.c``: the longest importable module, then attributes."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attribute in parts[cut:]:
                obj = getattr(obj, attribute)
        except AttributeError:
            return False
        return True
    return False


@cache
def classes() -> dict[str, list[str]]:
    """Class name -> the modules of ``portal`` that define it."""
    found: dict[str, list[str]] = {}
    for path in PORTAL.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(SRC).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        for name in re.findall(r"^\s*class (\w+)", path.read_text(), flags=re.MULTILINE):
            found.setdefault(name, []).append(module)
    return found


def check_name(span: str) -> str | None:
    name = re.sub(r"\(.*\)$", "", span.lstrip("@"))
    head = name.split(".")[0]
    if head in {"portal", "portal_dev"}:
        return None if resolve_dotted(name) else f"no module or attribute {span}"
    if head in classes() and head[0].isupper():
        # A class of the portal and its attributes: Dossier.objects.visible_to, Office.cached.
        if any(resolve_dotted(f"{module}.{name}") for module in classes()[head]):
            return None
        return f"no attribute {span}"
    if "." not in name and hasattr(builtins, name):
        return None
    missing = [part for part in name.split(".") if not appears(part)]
    return f"{span}: {', '.join(missing)} not in the code" if missing else None


def check(span: str) -> str | None:
    span = span.strip()
    if span.startswith("make "):
        target = span.removeprefix("make ")
        makefile = (ROOT / "Makefile").read_text()
        ok = re.search(rf"^{re.escape(target)}:", makefile, flags=re.MULTILINE)
        return None if ok else f"no make target {target}"
    if span.startswith("manage.py "):
        command = span.split()[1]
        found = command in get_commands() or any(SRC.glob(f"*/management/commands/{command}.py"))
        found = found or any(SRC.glob(f"*/*/management/commands/{command}.py"))
        return None if found else f"no management command {command}"
    if re.match(r"^\[\[?tool\.[\w.-]+\]\]?$", span):
        return None if span in (ROOT / "pyproject.toml").read_text() else f"no {span} in pyproject"
    if re.search(r"\s", span):
        return None  # code, SQL or a command line: prose, not a name
    if span.startswith("/"):
        return check_url(span)
    if "/" in span:
        return check_path(span)
    if span.endswith(FILE_SUFFIXES) and not span.startswith("."):
        if span in MADE_AT_RUN_TIME or span in file_names():
            return None
        return f"no file named {span}"
    if IDENTIFIER.match(span):
        return check_name(span)
    # An audit code (2fa.enabled), a header (Retry-After), a contract id (no-cycles), a setting
    # given a value (CLAMAV_DISABLED=1): the text before any "=" is in the code.
    word = span.split("=")[0]
    if re.match(r"^[\w][\w.-]*$", word):
        return None if appears(word) else f"{span}: {word} not in the code"
    return None  # markup, attribute values, placeholders


def test_every_name_in_the_architecture_notes_exists():
    prose, fenced = code_spans(DOC.read_text())
    problems = [problem for span in prose if (problem := check(span))]
    problems += [f"drawing: {name}" for name in fenced if not resolve_dotted(name)]
    assert problems == [], "\n".join(problems)


def test_the_check_finds_what_is_gone():
    """The check is not vacuous: a moved module, a renamed function, a missing file, URL,
    make target and command are each reported."""
    gone = [
        "portal.documents.views.download",
        "portal/documents/upload_handlers.py",
        "Dossier.objects.visible_to_staff",
        "send_a_message_twice",
        "/nergens/",
        "make deploy",
        "manage.py load_everything",
        "unknown_template.html",
    ]
    assert [span for span in gone if check(span) is None] == []
