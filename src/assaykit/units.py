"""Concentration units carried in column names (``conc_nM``, ``log_conc_M``) and their conversion to molar.

Whether the concentrations so read are plausible is checked in :mod:`assaykit.plausible`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

#: Molar factor of each unit accepted in a concentration column name.
MOLAR_FACTORS: dict[str, float] = {
    "M": 1.0,
    "mM": 1e-3,
    "uM": 1e-6,
    "µM": 1e-6,
    "nM": 1e-9,
    "pM": 1e-12,
    "fM": 1e-15,
}

_CONC_RE = re.compile(r"^(?P<log>log_?)?conc_(?P<unit>[a-zA-Zµ]+)$")

#: The concentration column names a user may give, for error messages.
ACCEPTED_CONC_COLUMNS = "conc_M, conc_mM, conc_uM, conc_nM, conc_pM or log_conc_M"


@dataclass(frozen=True)
class ConcentrationUnit:
    """How the values of one concentration column map to molar.

    Attributes
    ----------
    column
        The column name as the user wrote it.
    log
        True for ``log_conc_M`` (values are log10 of the molar concentration).
    factor
        Multiply a linear value by this to get mol/L (1.0 for log columns).
    """

    column: str
    log: bool
    factor: float

    def to_log_molar(self, values: np.ndarray) -> np.ndarray:
        """Convert column values to log10(molar concentration); zero or negative linear values give NaN."""
        values = np.asarray(values, dtype=float)
        if self.log:
            return values
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.log10(values * self.factor)
        out[~(values > 0)] = np.nan
        return out


def parse_conc_column(name: str) -> ConcentrationUnit | None:
    """Read the unit from a concentration column name.

    Parameters
    ----------
    name
        A column name such as ``conc_nM``, ``conc_uM`` or ``log_conc_M``. Unit letters are case-sensitive
        (``mM`` is millimolar, ``MM`` is not a unit).

    Returns
    -------
    ConcentrationUnit or None
        None when ``name`` is not a concentration column at all.

    Raises
    ------
    ValueError
        When ``name`` looks like a concentration column but its unit is unknown or missing (``conc``,
        ``conc_nm``), or when a log column is not in molar.

    Examples
    --------
    >>> parse_conc_column("conc_nM").factor
    1e-09
    >>> parse_conc_column("log_conc_M").log
    True
    """
    stripped = name.strip()
    if stripped.lower() in {"conc", "concentration", "log_conc", "logconc", "dose", "x", "log_dose"}:
        raise ValueError(f"concentration column '{name}' has no unit; name it {ACCEPTED_CONC_COLUMNS}")
    match = _CONC_RE.match(stripped)
    if match is None:
        return None
    unit = match["unit"]
    if unit not in MOLAR_FACTORS:
        raise ValueError(
            f"concentration column '{name}' has an unknown unit '{unit}'; expected {ACCEPTED_CONC_COLUMNS}"
        )
    if match["log"]:
        if unit != "M":
            raise ValueError(f"log concentration column '{name}' must be log10 molar: name it log_conc_M")
        return ConcentrationUnit(column=stripped, log=True, factor=1.0)
    return ConcentrationUnit(column=stripped, log=False, factor=MOLAR_FACTORS[unit])


def nM_to_M(value: float) -> float:  # noqa: N802 - the unit is the name
    """Convert nanomolar to molar (1 nM = 1e-9 M)."""
    return value * 1e-9
