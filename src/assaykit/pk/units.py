"""Units of pharmacokinetic tables: the tags in column names and the arithmetic of CL and Vz.

Concentrations and doses keep the unit of the input file; only clearance and volume are converted, to L/h
and L (per kg when the dose is per kg of body weight). Every output column carries its unit in its name:
``cmax_ng_mL``, ``auc_last_h_ng_mL`` (h*ng/mL), ``aumc_last_h2_ng_mL`` (h^2*ng/mL), ``cl_f_L_h_kg``.

Clearance is ``Dose / AUC0-inf`` and the terminal volume ``CL / lambda_z`` (Gabrielsson & Weiner,
*Pharmacokinetic and Pharmacodynamic Data Analysis*, 5th ed. 2016, ch. 2; Rowland & Tozer, *Clinical
Pharmacokinetics and Pharmacodynamics*, 4th ed. 2011, ch. 3). A mass dose with a molar concentration (or
the reverse) needs the molecular weight to put both in one amount.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from assaykit.errors import AssayInputError

__all__ = [
    "CONC_UNITS",
    "DOSE_UNITS",
    "ConcUnit",
    "DoseUnit",
    "clearance_factor",
    "conc_unit",
    "dose_unit",
    "partial_auc_column",
    "result_columns",
]


@dataclass(frozen=True)
class ConcUnit:
    """A concentration unit.

    Attributes
    ----------
    name
        Canonical spelling (``"ng/mL"``).
    tag
        Its form in column names (``"ng_mL"``).
    kind
        ``"mass"`` (amount in mg), ``"molar"`` (amount in umol) or ``"tissue"`` (per gram of tissue: no
        volume, so no clearance).
    per_litre
        Amount (mg or umol) per litre of one unit.
    """

    name: str
    tag: str
    kind: str
    per_litre: float


@dataclass(frozen=True)
class DoseUnit:
    """A dose unit.

    Attributes
    ----------
    name, tag
        Canonical spelling (``"mg/kg"``) and its form in column names (``"mg_kg"``).
    kind
        ``"mass"`` (amount in mg) or ``"molar"`` (amount in umol).
    amount
        Amount (mg or umol) of one unit.
    per_kg
        True when the dose is per kg of body weight.
    """

    name: str
    tag: str
    kind: str
    amount: float
    per_kg: bool


_CONC = [
    ConcUnit("ng/mL", "ng_mL", "mass", 1e-3),
    ConcUnit("ug/mL", "ug_mL", "mass", 1.0),
    ConcUnit("mg/L", "mg_L", "mass", 1.0),
    ConcUnit("ug/L", "ug_L", "mass", 1e-3),
    ConcUnit("pg/mL", "pg_mL", "mass", 1e-6),
    ConcUnit("mg/mL", "mg_mL", "mass", 1e3),
    ConcUnit("ng/L", "ng_L", "mass", 1e-6),
    ConcUnit("g/L", "g_L", "mass", 1e3),
    ConcUnit("ng/g", "ng_g", "tissue", math.nan),
    ConcUnit("nM", "nM", "molar", 1e-3),
    ConcUnit("uM", "uM", "molar", 1.0),
    ConcUnit("pM", "pM", "molar", 1e-6),
    ConcUnit("mM", "mM", "molar", 1e3),
]
_DOSE = [
    DoseUnit("mg", "mg", "mass", 1.0, False),
    DoseUnit("ug", "ug", "mass", 1e-3, False),
    DoseUnit("mg/kg", "mg_kg", "mass", 1.0, True),
    DoseUnit("ug/kg", "ug_kg", "mass", 1e-3, True),
    DoseUnit("ng", "ng", "mass", 1e-6, False),
    DoseUnit("ng/kg", "ng_kg", "mass", 1e-6, True),
    DoseUnit("g/kg", "g_kg", "mass", 1e3, True),
    DoseUnit("nmol", "nmol", "molar", 1e-3, False),
    DoseUnit("umol", "umol", "molar", 1.0, False),
    DoseUnit("nmol/kg", "nmol_kg", "molar", 1e-3, True),
    DoseUnit("umol/kg", "umol_kg", "molar", 1.0, True),
    DoseUnit("mmol/kg", "mmol_kg", "molar", 1e3, True),
]


def _spellings(name: str, tag: str) -> set[str]:
    forms = {name, tag, name.replace("u", "µ", 1), tag.replace("u", "µ", 1)}
    forms |= {f.replace("ug", "mcg", 1) for f in forms if f.startswith("ug")}
    return forms


#: Accepted spellings (``ng/mL``, ``ng_mL``; ``ug``, ``µg`` or ``mcg``) -> unit.
CONC_UNITS: dict[str, ConcUnit] = {s: u for u in _CONC for s in _spellings(u.name, u.tag)}
DOSE_UNITS: dict[str, DoseUnit] = {s: u for u in _DOSE for s in _spellings(u.name, u.tag)}


def conc_unit(name: str) -> ConcUnit:
    """Return the concentration unit spelled ``name``; an unknown unit is an :class:`AssayInputError`."""
    try:
        return CONC_UNITS[name.strip()]
    except KeyError:
        known = ", ".join(u.name for u in _CONC)
        raise AssayInputError(f"unknown concentration unit '{name}'; expected one of {known}") from None


def dose_unit(name: str) -> DoseUnit:
    """Return the dose unit spelled ``name``; an unknown unit is an :class:`AssayInputError`."""
    try:
        return DOSE_UNITS[name.strip()]
    except KeyError:
        known = ", ".join(u.name for u in _DOSE)
        raise AssayInputError(f"unknown dose unit '{name}'; expected one of {known}") from None


def clearance_factor(conc: str, dose: str, mw_g_mol: float | None = None) -> float:
    """Return the factor that turns ``Dose / AUC`` in the file's units into L/h (L/h/kg per kg doses).

    ``CL = Dose / AUC0-inf`` (Gabrielsson & Weiner 2016, eq. 2:76). With the dose in mg (or umol) and the AUC
    in h * mg/L (or h * umol/L), the ratio is in L/h; each unit's amount per mg or umol gives the factor.
    Multiplying by the same factor and dividing by lambda_z (1/h) gives Vz in L.

    Parameters
    ----------
    conc, dose
        Concentration and dose units (:data:`CONC_UNITS`, :data:`DOSE_UNITS`).
    mw_g_mol
        Molecular weight (g/mol = mg/mmol), needed when one unit is a mass and the other molar.

    Returns
    -------
    float
        The factor; NaN for concentrations per gram of tissue (no volume, so no clearance).

    Raises
    ------
    AssayInputError
        When a mass dose meets a molar concentration (or the reverse) without ``mw_g_mol``.
    """
    c, d = conc_unit(conc), dose_unit(dose)
    if c.kind == "tissue":
        return math.nan
    amount = d.amount
    if c.kind != d.kind:
        if mw_g_mol is None or not (mw_g_mol > 0):
            raise AssayInputError(
                f"the dose is in {d.name} and the concentrations in {c.name}: converting one into the other "
                "needs the molecular weight (mw_g_mol, g/mol)"
            )
        # mg -> umol: 1 mg = 1000 / MW umol; umol -> mg: 1 umol = MW / 1000 mg
        amount *= 1000.0 / mw_g_mol if d.kind == "mass" else mw_g_mol / 1000.0
    return amount / c.per_litre


def _number(x: float) -> str:
    text = f"{x:g}"
    return text.replace(".", "p").replace("-", "m")


def partial_auc_column(start: float, end: float, conc: str) -> str:
    """Return the column of the AUC from ``start`` to ``end`` h: ``auc_0_2_h_ng_mL``, ``auc_0p5_8_h_nM``."""
    return f"auc_{_number(start)}_{_number(end)}_h_{conc_unit(conc).tag}"


def result_columns(conc: str, dose: str | None) -> dict[str, str]:
    """Return the column name (unit included) of each NCA parameter.

    Parameters
    ----------
    conc
        Concentration unit of the input.
    dose
        Dose unit, or None when the study has no doses (the dose-based columns are then left out).

    Returns
    -------
    dict
        Parameter key (the field of :class:`assaykit.pk.nca.NCAResult`) -> column name. Clearance and volume
        come twice: ``cl_f``/``vz_f`` (apparent, extravascular routes) and ``cl``/``vz`` (IV routes); a
        table keeps the pair its routes need. Concentrations per gram of tissue have no CL or Vz columns.
    """
    c = conc_unit(conc).tag
    names = {
        "cmax": f"cmax_{c}",
        "tmax": "tmax_h",
        "clast": f"clast_{c}",
        "tlast": "tlast_h",
        "clast_pred": f"clast_pred_{c}",
        "c0": f"c0_{c}",
        "auc_last": f"auc_last_h_{c}",
        "auc_inf_obs": f"auc_inf_obs_h_{c}",
        "auc_inf_pred": f"auc_inf_pred_h_{c}",
        "auc_extrap_pct": "auc_extrap_pct",
        "aumc_last": f"aumc_last_h2_{c}",
        "aumc_inf_obs": f"aumc_inf_obs_h2_{c}",
        "mrt": "mrt_h",
        "lambda_z": "lambda_z_per_h",
        "lambda_z_intercept": f"lambda_z_intercept_ln_{c}",
        "half_life": "half_life_h",
        "span_ratio": "span_ratio",
        "r2": "r2",
        "r2adj": "r2adj",
        "n_lambda_z": "n_lambda_z",
        "lambda_z_first_h": "lambda_z_first_h",
        "lambda_z_last_h": "lambda_z_last_h",
    }
    if dose is None:
        return names
    d = dose_unit(dose)
    kg = "_kg" if d.per_kg else ""
    if conc_unit(conc).kind != "tissue":
        names |= {
            "cl_f": f"cl_f_L_h{kg}",
            "vz_f": f"vz_f_L{kg}",
            "cl": f"cl_L_h{kg}",
            "vz": f"vz_L{kg}",
        }
    names["cmax_dose"] = f"cmax_dose_{c}_per_{d.tag}"
    return names
