"""The concentration unit of a Prism X column, read from its title (``log[diazepam], M``, ``[3H]FNZ, nM``)."""

from __future__ import annotations

import re
from typing import NamedTuple

#: The unit prefixes a title may use, and the canonical unit each one means.
_PREFIXES = {"": "M", "m": "mM", "u": "uM", "µ": "uM", "μ": "uM", "n": "nM", "p": "pM", "f": "fM"}
# a unit: a prefix and M (molar) or mol/L, not inside a word ("MK-801", "DMCM" name no unit)
_UNIT = re.compile(r"(?<![A-Za-zµμ])(?P<prefix>[munpfµμ]?)(?:M|mol ?/ ?[lL]|mol ?[lL]-1)(?![A-Za-z])")
_LOG = re.compile(r"(?i)(?<![a-z])log")

#: How an X title may state its unit, for messages.
X_TITLE_EXAMPLES = "e.g. 'log[competitor], M', '[competitor], nM' or 'Concentration (uM)'"


class XUnit(NamedTuple):
    """The unit of an X column: canonical unit (``"nM"``) and whether X holds its log10."""

    unit: str
    log: bool


def x_unit(title: str) -> XUnit | None:
    """Read the concentration unit of an X column title.

    Parameters
    ----------
    title
        The X column title as Prism shows it. ``log`` anywhere (``log[X]``, ``Log concentration``)
        means X is log10 of the concentration; the unit is ``M``, ``mM``, ``uM``/``µM``, ``nM``, ``pM``
        or ``fM`` (or ``mol/L``, ``nmol/L``, ...), standing apart from other letters.

    Returns
    -------
    XUnit or None
        None when the title names no unit, or names two different ones.

    Examples
    --------
    >>> x_unit("log[competitor], M")
    XUnit(unit='M', log=True)
    >>> x_unit("[3H]flunitrazepam (nM)")
    XUnit(unit='nM', log=False)
    """
    units = {_PREFIXES[m["prefix"]] for m in _UNIT.finditer(title)}
    if len(units) != 1:
        return None
    return XUnit(units.pop(), bool(_LOG.search(title)))


def unit_problem(title: str) -> str:
    """Say why an X title gives no unit, for an error message."""
    units = sorted({_PREFIXES[m["prefix"]] for m in _UNIT.finditer(title)})
    if len(units) > 1:
        return f"the X column title '{title}' names several units ({', '.join(units)}); keep one"
    shown = f"the X column title '{title}'" if title else "the X column has no title and so"
    return f"{shown} names no concentration unit; title it {X_TITLE_EXAMPLES}"
