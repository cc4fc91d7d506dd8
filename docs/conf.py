"""Sphinx configuration of the assaykit documentation.

Build it from the project root with ``python -m sphinx docs docs/_build/html`` (the test suite builds it with
``-W --keep-going``: every warning is an error). The API reference is generated from the docstrings of the
``assaykit`` package in this checkout, whatever version is installed.
"""

from __future__ import annotations

import shutil
import sys
import types
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT / "src"))  # document this checkout's code, not an installed copy
# autosummary imports every module it finds; ``assaykit.__main__`` would run the command line on import.
sys.modules["assaykit.__main__"] = types.ModuleType("assaykit.__main__", "Allow ``python -m assaykit``.")

# The API pages are generated anew on every build, so a module that was moved or removed leaves no stale page.
shutil.rmtree(DOCS / "api" / "generated", ignore_errors=True)

project = "assaykit"
author = "assaykit developers"
copyright = "assaykit developers"  # noqa: A001 - Sphinx's own name for it

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
]

source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
exclude_patterns = ["_build", "tools", "Thumbs.db", ".DS_Store"]
templates_path = ["_templates"]

# Markdown: `#slug` anchors for headings down to ####, as GitHub makes them.
myst_heading_anchors = 4
myst_enable_extensions = ["colon_fence"]

# The API reference: one page per module, found by walking the package (autosummary's :recursive:).
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_typehints = "none"  # numpydoc's Parameters sections carry the types
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = False

html_theme = "pydata_sphinx_theme"
html_title = "assaykit"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc"],
}
html_static_path: list[str] = []


def _skip_type_aliases(app, what, name, obj, skip, options):  # noqa: ARG001 - Sphinx's signature
    """Leave out type aliases such as ``Site = tuple[...]``: autodoc takes them for classes and fails."""
    import types
    import typing

    if isinstance(obj, types.GenericAlias | typing._GenericAlias):  # type: ignore[attr-defined]
        return True
    return None


def setup(app):
    """Register the hooks of this configuration."""
    app.connect("autodoc-skip-member", _skip_type_aliases)
