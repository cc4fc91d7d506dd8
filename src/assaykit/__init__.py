"""assaykit: anxiolytic pharmacology from raw data to the numbers in a paper.

Subpackages
-----------
assaykit.binding
    Radioligand competition binding: counts -> IC50 -> Ki.
assaykit.fitting
    The one curve-fitting engine (lmfit models, Prism-style statistics).
assaykit.io
    Readers, writers and validation shared by every protocol.
"""

from assaykit.errors import AssayInputError, FitWarning

__all__ = ["AssayInputError", "FitWarning", "__version__"]


def __getattr__(name: str) -> str:
    """Look up ``__version__`` on first use (PEP 562), so that ``import assaykit`` stays cheap."""
    if name != "__version__":
        raise AttributeError(f"module 'assaykit' has no attribute {name!r}")
    # imported here: importlib.metadata and the metadata lookup cost ~20 ms, paid by every command otherwise
    from importlib.metadata import PackageNotFoundError, version

    try:
        value = version("assaykit")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        value = "0+unknown"
    globals()["__version__"] = value
    return value
