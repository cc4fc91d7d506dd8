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

from importlib.metadata import PackageNotFoundError, version

from assaykit.errors import AssayInputError, FitWarning

try:
    __version__ = version("assaykit")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

__all__ = ["AssayInputError", "FitWarning", "__version__"]
