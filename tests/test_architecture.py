"""The import rules of docs/architecture.md, enforced on the import graph of the source.

The graph is read from the source by ``docs/tools/import_graph.py`` (every import statement, the lazy ones
inside functions included, ``if TYPE_CHECKING:`` blocks excepted), so a new module is held to the rules
the moment it is written. Each rule is checked on a hand-built graph too, so that the test can fail.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROTOCOLS = {"binding", "saturation", "epm", "ldb", "stats", "pk", "trial"}
ENGINES = {"fitting", "tracking"}
#: The report: above the protocols (it reads their runs), below the command line.
REPORT = {"report"}
#: Top-level modules every layer may import; they import only each other.
BASE = {
    "assaykit", "errors", "units", "plausible", "planar", "multiplicity", "parallel", "distinct",
    "progress", "formatting", "heap", "methods", "flag_text", "references", "count_models",
}  # fmt: skip


def _tool():
    spec = importlib.util.spec_from_file_location("import_graph", ROOT / "docs" / "tools" / "import_graph.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


TOOL = _tool()


def broken_rules(edges: dict[str, set[str]]) -> list[str]:
    """Every import that breaks a rule of docs/architecture.md, as 'importer -> imported: rule'.

    A module's layer is its package (``assaykit.io.tables`` -> ``io``); a top-level module is its own
    (``assaykit.errors`` -> ``errors``), the package's ``__init__`` is ``assaykit``.
    """
    group = TOOL.group
    found = [f"circle: {', '.join(c)}" for c in TOOL.circles(edges)]
    for source, targets in sorted(edges.items()):
        g = group(source)
        for target in sorted(targets):
            t = group(target)
            if t == g:
                continue
            where = f"{source} -> {target}"
            if g == "io" and t in PROTOCOLS | ENGINES | {"cli", "plotting"}:
                found.append(f"{where}: io imports no protocol, engine, plotting or cli")
            if g == "fitting":
                found.append(f"{where}: fitting imports nothing outside itself")
            if t == "cli" and g != "__main__":
                found.append(f"{where}: only the command line imports cli")
            if g in ENGINES and t in PROTOCOLS:
                found.append(f"{where}: an engine imports no protocol")
            if g in PROTOCOLS and t in PROTOCOLS:
                found.append(f"{where}: a protocol imports no other protocol")
            if g in BASE and t not in BASE:
                found.append(f"{where}: base modules import only base modules")
            if t in REPORT and g not in REPORT | {"cli", "__main__"}:
                found.append(f"{where}: only the command line imports the report")
    return found


def test_the_source_keeps_the_import_rules() -> None:
    assert broken_rules(TOOL.graph()) == []


def test_every_package_and_top_level_module_has_a_layer() -> None:
    groups = {TOOL.group(m) for m in TOOL.graph()}
    figures = {"plotting", "figure_layout", "figure_reuse", "figure_jobs"}
    known = PROTOCOLS | ENGINES | BASE | REPORT | figures | {"io", "cli", "__main__"}
    assert groups - known == set(), (
        "a new package or module: give it a layer here and in docs/architecture.md"
    )


@pytest.mark.parametrize(
    ("edges", "rule"),
    [
        ({"assaykit.io.a": {"assaykit.io.b"}, "assaykit.io.b": {"assaykit.io.a"}}, "circle"),
        ({"assaykit.io.a": {"assaykit.tracking.g"}, "assaykit.tracking.g": set()}, "io imports no"),
        ({"assaykit.fitting.m": {"assaykit.errors"}, "assaykit.errors": set()}, "fitting imports nothing"),
        ({"assaykit.binding.w": {"assaykit.cli"}, "assaykit.cli": set()}, "only the command line"),
        ({"assaykit.tracking.t": {"assaykit.epm.e"}, "assaykit.epm.e": set()}, "an engine imports no"),
        ({"assaykit.epm.e": {"assaykit.binding.c"}, "assaykit.binding.c": set()}, "no other protocol"),
        ({"assaykit.units": {"assaykit.io.t"}, "assaykit.io.t": set()}, "base modules"),
        ({"assaykit.binding.w": {"assaykit.report.r"}, "assaykit.report.r": set()}, "imports the report"),
    ],
)
def test_each_rule_catches_what_it_forbids(edges: dict[str, set[str]], rule: str) -> None:
    assert any(rule in line for line in broken_rules(edges))
