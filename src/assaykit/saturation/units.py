"""Saturation units: the unit options checked, Bmax converted to fmol, fmol/mg and sites/cell, and depletion.

Conversions (the radioactivity arithmetic of the GraphPad/curvefit.com "Radioactivity calculator"):
1 Ci = 3.7e10 Bq = 2.22e12 dpm and 1 mmol = 1e12 fmol, so a specific activity SA in Ci/mmol is
``SA x 2.22`` dpm/fmol and

- ``bmax_fmol = bmax_cpm / (efficiency x SA x 2.22)`` (dpm data: ``bmax_dpm / (SA x 2.22)``);
- ``bmax_fmol_per_mg = bmax_fmol / protein_mg``;
- ``sites_per_cell = bmax_fmol x 1e-15 mol/fmol x 6.02214076e23 /mol / cells``
  (``bmax_fmol x 602,214,076 / cells``; Avogadro constant, SI 2019).

The efficiency, specific activity, protein and cell count are taken as exact, so the SEs scale by the same
factors.

Depletion: the added radioligand is ``conc_nM x volume_ml x 1000`` fmol (nmol/l x ml x 1e-3 l/ml x
1e6 fmol/nmol). The standard analysis assumes free = added, and the usual rule of thumb is that this
holds while less than 10% of the ligand binds (GraphPad Prism 5 help, "Ligand depletion",
http://secure.graphpad.com/help/Prism5/liganddepletion.htm).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError

#: dpm per fmol for a specific activity of 1 Ci/mmol: 1 Ci = 3.7e10 Bq = 2.22e12 dpm, 1 mmol = 1e12 fmol.
DPM_PER_FMOL_PER_CI_MMOL = 2.22

#: Avogadro constant, 1/mol (exact since the 2019 SI): 1 fmol = 1e-15 mol = 602,214,076 molecules.
AVOGADRO = 6.02214076e23

#: ``depletion`` when more than this fraction of the added radioligand is bound at some concentration.
MAX_FRACTION_BOUND = 0.10


#: The usual range of each unit option, what it is, and the likely mistake beyond each end (the factor that
#: would fix it and the unit meant). A value outside is a warning (assaykit's plausibility rule, by the
#: arithmetic of binding assays): specific activities run from below 0.1 Ci/mmol (carbon-14) through
#: 15-120 (tritium, 29 Ci/mmol per atom) to about 2200 (iodine-125); a tube holds 0.01-1 mg of membrane
#: protein (10 mg would be a paste) and 0.1-5 ml; counting efficiency is 0.3-0.6 for tritium and about 0.8 for
#: iodine-125; a tube holds thousands to millions of cells.
USUAL_RANGES: dict[str, tuple[float, float, str, tuple[float, str] | None, tuple[float, str] | None]] = {
    "--specific-activity": (0.01, 1e4, "Ci/mmol", None, (1e-3, "mCi/mmol")),
    "--protein-mg": (1e-3, 10.0, "mg of protein per tube", None, (1e-3, "ug")),
    "--volume-ml": (0.01, 50.0, "ml per tube", None, (1e-3, "ul")),
    "--efficiency": (0.05, 1.0, "cpm/dpm", None, None),
    "--cells": (100.0, 1e9, "cells per tube", (1e6, "millions"), None),
}


def _usual(value: float | None, option: str) -> None:
    """Warn when a unit option lies outside :data:`USUAL_RANGES`, with its value in the likely unit."""
    if value is None:
        return
    low, high, what, below, above = USUAL_RANGES[option]
    if low <= value <= high:
        return
    fix = below if value < low else above
    hint = "" if fix is None else f"; if it is in {fix[1]}, give {option} {value * fix[0]:g}"
    side = "below" if value < low else "above"
    warnings.warn(
        f"{option} {value:g} is {side} the usual range of {what} ({low:g} to {high:g}){hint}",
        UserWarning,
        stacklevel=4,
    )


@dataclass(frozen=True)
class Units:
    """The unit options, checked: how to turn the signal unit into fmol, and what to divide by."""

    fmol_per_unit: float  # NaN when Bmax cannot be converted to fmol
    protein_mg: float | None
    cells: float | None
    volume_ml: float | None


def _positive(value: float | None, option: str, what: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise AssayInputError(f"{option} must be a positive number ({what}), not {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise AssayInputError(f"{option} must be a positive number ({what}), not {value!r}")
    return float(value)


def check_units(
    unit: str,
    efficiency: float | None,
    specific_activity: float | None,
    protein_mg: float | None,
    cells: float | None,
    volume_ml: float | None,
    notes: list[str],
) -> Units:
    """Validate the unit options and work out the fmol conversion; explain in ``notes`` what is missing.

    A value outside its usual range (:data:`USUAL_RANGES`) is a ``UserWarning`` that names the likely unit.
    """
    efficiency = _positive(efficiency, "--efficiency", "counting efficiency, cpm/dpm, at most 1")
    if efficiency is not None and efficiency > 1:
        raise AssayInputError(f"--efficiency is cpm/dpm, a fraction at most 1, not {efficiency!r}")
    specific_activity = _positive(specific_activity, "--specific-activity", "Ci/mmol")
    protein_mg = _positive(protein_mg, "--protein-mg", "mg of protein per tube")
    cells = _positive(cells, "--cells", "cells per tube")
    volume_ml = _positive(volume_ml, "--volume-ml", "assay volume per tube, ml")
    if protein_mg is not None and cells is not None:
        raise AssayInputError("give --protein-mg or --cells, not both")
    for value, option in (
        (specific_activity, "--specific-activity"),
        (protein_mg, "--protein-mg"),
        (volume_ml, "--volume-ml"),
        (efficiency, "--efficiency"),
        (cells, "--cells"),
    ):
        _usual(value, option)

    fmol_per_unit, missing = math.nan, ""
    if unit == "dpm":
        if efficiency is not None:
            notes.append("--efficiency ignored: dpm are already corrected for counting efficiency")
        if specific_activity is None:
            missing = "--specific-activity (Ci/mmol)"
        else:
            fmol_per_unit = 1.0 / (specific_activity * DPM_PER_FMOL_PER_CI_MMOL)
    elif unit == "cpm":
        if efficiency is None or specific_activity is None:
            options = (("--efficiency", efficiency), ("--specific-activity", specific_activity))
            missing = " and ".join(name for name, value in options if value is None)
        else:
            fmol_per_unit = 1.0 / (efficiency * specific_activity * DPM_PER_FMOL_PER_CI_MMOL)
    wanted = [
        what
        for what, given in (
            ("fmol", specific_activity is not None or efficiency is not None),
            ("fmol/mg", protein_mg is not None),
            ("sites/cell", cells is not None),
            ("the depletion check", volume_ml is not None),
        )
        if given
    ]
    if wanted and math.isnan(fmol_per_unit):
        targets = ", ".join(wanted)
        if unit in ("cpm", "dpm"):
            notes.append(f"Bmax not converted ({targets}): {unit} data need {missing}")
        else:
            what = f"'{unit}'" if unit else "without a unit"
            notes.append(
                f"Bmax not converted ({targets}): the signal is {what}; conversions need cpm or dpm "
                "(for specific binding, name the column specific_cpm or specific_dpm)"
            )
    return Units(fmol_per_unit, protein_mg, cells, volume_ml)


def converted_bmax(bmax: float, bmax_se: float, units: Units) -> dict[str, float]:
    """Return Bmax and its SE in fmol, and per mg of protein or per cell when given.

    Parameters
    ----------
    bmax, bmax_se
        Bmax and its standard error in the signal unit.
    units
        The checked unit options.

    Returns
    -------
    dict
        ``bmax_fmol, bmax_fmol_se`` and, with ``protein_mg``, ``bmax_fmol_per_mg, bmax_fmol_per_mg_se`` or,
        with ``cells``, ``sites_per_cell, sites_per_cell_se``; empty when the signal cannot be converted.
    """
    factor = units.fmol_per_unit
    if not math.isfinite(factor):
        return {}
    converted = {"bmax_fmol": bmax * factor, "bmax_fmol_se": bmax_se * factor}
    if units.protein_mg is not None:
        converted["bmax_fmol_per_mg"] = converted["bmax_fmol"] / units.protein_mg
        converted["bmax_fmol_per_mg_se"] = converted["bmax_fmol_se"] / units.protein_mg
    if units.cells is not None:
        per_fmol = 1e-15 * AVOGADRO / units.cells
        converted["sites_per_cell"] = converted["bmax_fmol"] * per_fmol
        converted["sites_per_cell_se"] = converted["bmax_fmol_se"] * per_fmol
    return converted


def bound_fraction(tubes: pd.DataFrame, units: Units) -> float:
    """Return the largest fraction of the added radioligand found bound, over the concentrations.

    Bound is the mean measured binding of the total tubes (specific binding for specific-only data) at a
    concentration, in fmol; added is ``conc_nM x volume_ml x 1000`` fmol.
    """
    if units.volume_ml is None or math.isnan(units.fmol_per_unit):
        return math.nan
    bound_tubes = tubes[tubes["kind"].isin(["total", "specific"])]
    if bound_tubes.empty:
        return math.nan
    means = bound_tubes.groupby("conc_nM")["signal"].mean()
    bound_fmol = means.to_numpy(float) * units.fmol_per_unit
    added_fmol = means.index.to_numpy(float) * units.volume_ml * 1000.0
    return float(np.max(bound_fmol / added_fmol))
