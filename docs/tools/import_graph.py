"""Print assaykit's import graph by package, and the import circles between its modules.

Run from the project root: ``python docs/tools/import_graph.py``. Every ``import`` and ``from ... import``
statement in ``src/assaykit`` counts, the lazy ones inside functions included (they are imports all the
same when the function runs), ``if TYPE_CHECKING:`` blocks excepted (never run). The page
``docs/architecture.md`` describes what this prints.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"


def module_name(path: Path) -> str:
    """Dotted module name of a file under ``src``."""
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """Return the assaykit modules a file imports (a ``from pkg import name`` of a submodule counts as it)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            submodules = {f"{base}.{a.name}" for a in node.names} & modules
            found.update(submodules)
            if len(submodules) < len(node.names):  # names defined in ``base`` itself
                found.add(base)
    return {m for m in found if m in modules and m != name}


def graph() -> dict[str, set[str]]:
    """Return module -> the assaykit modules it imports."""
    paths = sorted(SRC.joinpath("assaykit").rglob("*.py"))
    modules = {module_name(p) for p in paths}
    return {module_name(p): imports_of(p, modules) for p in paths}


def group(module: str) -> str:
    """Return the package a module belongs to: ``assaykit.io.tables`` -> ``io``; top-level modules by name."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "assaykit"


def circles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return sorted(out)


def main() -> None:
    """Print the package graph and the module circles."""
    edges = graph()
    by_group: dict[str, set[str]] = defaultdict(set)
    for src, targets in edges.items():
        for t in targets:
            if group(t) != group(src):
                by_group[group(src)].add(group(t) if group(t) != "assaykit" else t.split(".")[-1])
    print("package -> what it imports of assaykit outside itself")
    for g in sorted({group(m) for m in edges}):
        print(f"  {g:10s} -> {', '.join(sorted(by_group.get(g, ()))) or '(nothing)'}")
    print("\nimport circles (modules that import each other, directly or through others)")
    for comp in circles(edges):
        print("  " + ", ".join(comp))


if __name__ == "__main__":
    main()
