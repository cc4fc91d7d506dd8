"""Quality flags explained in words: the ``flags`` cell of a results table read code by code.

A ``flags`` cell is the codes that apply, joined by ``;``; a code may carry a detail after ``": "``
(``not_converged: stopped: log IC50 beyond the range``). Each protocol keeps a ``FLAG_MEANINGS`` mapping
(code -> one plain sentence) beside its codes (:mod:`assaykit.binding.flags`,
:mod:`assaykit.saturation.flags`, :mod:`assaykit.tracking.tables`, :mod:`assaykit.epm.endpoints`,
:mod:`assaykit.ldb.endpoints`, :mod:`assaykit.stats.comparison_rows`); :func:`explain_flags` pairs each
code of a cell with its sentence.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

__all__ = ["explain_flags", "split_flags"]

_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*$")


def split_flags(cell: object, known: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Split a ``flags`` cell into ``(code, detail)`` pairs.

    Codes are joined by ``;``; a code may carry a detail after ``": "`` (``not_converged: stopped: ...``).
    A part that is not a code (free text with a ``;`` of its own inside a detail) belongs to the detail of
    the code before it.

    Parameters
    ----------
    cell
        The cell: a string, or empty/None/NaN for no flags.
    known
        Codes to take as codes even when a detail follows (the keys of a ``FLAG_MEANINGS``).

    Returns
    -------
    list of tuple
        ``(code, detail)`` in the cell's order; ``detail`` is ``""`` when the code has none.
    """
    if cell is None or (isinstance(cell, float) and math.isnan(cell)):
        return []
    known = set(known)
    pairs: list[tuple[str, str]] = []
    for part in str(cell).split(";"):
        code, sep, detail = part.strip().partition(":")
        code = code.strip()
        looks_like_code = _CODE.match(code) is not None
        inside_detail = bool(pairs) and bool(pairs[-1][1]) and code not in known
        if pairs and (not looks_like_code or inside_detail):
            last_code, last_detail = pairs[-1]
            pairs[-1] = (last_code, f"{last_detail}; {part.strip()}".strip("; "))
            continue
        if code:
            pairs.append((code, detail.strip()))
    return pairs


def _by_prefix(code: str, meanings: Mapping[str, str]) -> str | None:
    """Return the meaning of a code given as a pattern (``start_not_*`` for ``start_not_center``), or None."""
    for key, text in meanings.items():
        if key.endswith("*") and code.startswith(key[:-1]):
            return text
    return None


def explain_flags(cell: object, meanings: Mapping[str, str]) -> list[tuple[str, str]]:
    """Explain each code of a ``flags`` cell in words.

    Parameters
    ----------
    cell
        A ``flags`` cell, e.g. ``"ambiguous;not_converged: stopped: log IC50 beyond the range"``.
    meanings
        Code -> one plain sentence (a protocol's ``FLAG_MEANINGS``); a key ending in ``*`` stands for
        every code that starts with the rest (``start_not_*``).

    Returns
    -------
    list of tuple
        ``(code, explanation)`` per code, in the cell's order: the code's meaning, followed by the cell's
        detail for that code (``"... Reason given: stopped: ..."``); a code without a meaning is said to be
        unknown rather than dropped.
    """
    explained = []
    for code, detail in split_flags(cell, meanings):
        text = (
            meanings.get(code) or _by_prefix(code, meanings) or f"Flag '{code}' has no recorded explanation."
        )
        if detail:
            text = f"{text.rstrip('.')}. Reason given: {detail}."
        explained.append((code, text))
    return explained
