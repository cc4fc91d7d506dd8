"""Checking the options of a competition analysis, and the hot ligand concentrations of homologous curves.

Every problem is an :class:`~assaykit.errors.AssayInputError` whose message names the option as the command
line spells it, so the CLI can print it as one line.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from assaykit.binding.activity import ACTIVITY_DEFAULTS
from assaykit.binding.rows import KiConstants
from assaykit.errors import AssayInputError
from assaykit.fitting import COMPETITION_MODELS
from assaykit.plausible import check_nM_value, report_range

TWO_SITE_MODELS = ("two-site", "two-site-ki")
WEIGHTS = ("none", "poisson")
OUTLIERS = ("none", "rout")


@dataclass(frozen=True)
class CompetitionOptions:
    """Checked options of one analysis (see :func:`assaykit.binding.analyze_competition`)."""

    model: str
    ci: str
    level: float
    weights: str
    outliers: str
    rout_q: float
    compare: bool
    ki: KiConstants
    constants: dict[str, float] = field(default_factory=dict)  # the fitted model's constants


def _positive(value: float | None, option: str, allow_zero: bool = False) -> None:
    if value is None:
        return
    ok = isinstance(value, int | float) and math.isfinite(value) and (value >= 0 if allow_zero else value > 0)
    if not ok:
        what = "a number >= 0" if allow_zero else "a positive concentration in nM"
        raise AssayInputError(f"{option} must be {what}, not {value!r}")


#: ``--radioligand`` / ``--kd`` outside this range is a warning (assaykit's rule of thumb): a competition
#: assay uses the radioligand near its Kd, where a good share of the receptors bind it and the competitor's
#: IC50 is shifted by a modest Cheng-Prusoff factor ``1 + L/Kd`` (2 at L = Kd). At 100 x Kd the IC50 is
#: shifted 101-fold and Ki rests on that correction; a ratio beyond 100 or below 0.01 is far more often one
#: of the two values given in the wrong unit (pM or uM typed as nM).
RATIO_RANGE = (0.01, 100.0)


def _check_ratio(radioligand_nM: float, kd_nM: float) -> None:  # noqa: N803 - the unit is part of the name
    """Warn when the radioligand concentration is far from its Kd (see :data:`RATIO_RANGE`)."""
    ratio = radioligand_nM / kd_nM
    if not RATIO_RANGE[0] <= ratio <= RATIO_RANGE[1]:
        warnings.warn(
            f"--radioligand {radioligand_nM:g} nM is {ratio:.3g} times --kd {kd_nM:g} nM; competition assays "
            "use the radioligand near its Kd (typically 0.1 to 10 times), so check that both are in nM "
            f"(Cheng-Prusoff divides IC50 by {1 + ratio:.4g})",
            UserWarning,
            stacklevel=4,
        )


def check_options(
    *,
    model: str,
    kd_nM: float | None,  # noqa: N803 - the unit is part of the name
    radioligand_nM: float | None,  # noqa: N803
    kd_lo_nM: float | None,  # noqa: N803
    kd_se_nM: float | None,  # noqa: N803
    ci: str,
    level: float,
    weights: str,
    outliers: str,
    rout_q: float,
    compare: bool,
    fdr: float = ACTIVITY_DEFAULTS["fdr"],
    min_displacement_pct: float = ACTIVITY_DEFAULTS["min_displacement_pct"],
) -> tuple[CompetitionOptions, list[str]]:
    """Validate the options of :func:`~assaykit.binding.analyze_competition`.

    Returns
    -------
    tuple
        The checked options and the notes they call for (e.g. why Ki is not computed).

    Raises
    ------
    AssayInputError
        For an unknown choice, a non-positive concentration, or options that do not go together.
    """
    if model not in COMPETITION_MODELS:
        raise AssayInputError(f"unknown model '{model}'; expected one of {', '.join(COMPETITION_MODELS)}")
    for value, choices, option in ((weights, WEIGHTS, "--weights"), (outliers, OUTLIERS, "--outliers")):
        if value not in choices:
            raise AssayInputError(f"{option} must be {' or '.join(choices)}, not '{value}'")
    if ci not in ("asymptotic", "profile"):
        raise AssayInputError(f"--ci must be asymptotic or profile, not '{ci}'")
    if not (isinstance(level, int | float) and 0.0 < level < 1.0):
        raise AssayInputError(f"the confidence level must be between 0 and 1, not {level!r}")
    if not (isinstance(rout_q, int | float) and 0.0 < rout_q < 100.0):
        raise AssayInputError(f"--rout-q must be a percentage between 0 and 100 (e.g. 1), not {rout_q!r}")
    if not (isinstance(fdr, int | float) and 0.0 < fdr <= 1.0):
        raise AssayInputError(f"--fdr must be a false-discovery rate in (0, 1], e.g. 0.05, not {fdr!r}")
    if not (isinstance(min_displacement_pct, int | float) and 0.0 <= min_displacement_pct <= 100.0):
        raise AssayInputError(
            f"--min-displacement must be a percentage of the specific window from 0 to 100, not "
            f"{min_displacement_pct!r}"
        )
    concentrations = (
        (kd_nM, "--kd", "kd"),
        (radioligand_nM, "--radioligand", "radioligand"),
        (kd_lo_nM, "--kd-lo", "kd"),
    )
    for value, option, _ in concentrations:
        _positive(value, option)
    _positive(kd_se_nM, "--kd-se", allow_zero=True)
    for value, option, kind in concentrations:
        if value is not None:
            report_range(check_nM_value(float(value), option, kind=kind), stacklevel=3)  # type: ignore[arg-type]

    notes: list[str] = []
    if model == "homologous":
        given = (("--kd", kd_nM), ("--kd-se", kd_se_nM), ("--kd-lo", kd_lo_nM))
        unused = [option for option, value in given if value is not None]
        if unused:
            notes.append(f"homologous competition fits Kd itself: {', '.join(unused)} not used")
        if compare:
            raise AssayInputError(
                "--compare compares one- and two-site models of heterologous competition; it does not "
                "apply to --model homologous"
            )
        return CompetitionOptions(model, ci, level, weights, outliers, rout_q, compare, KiConstants()), notes

    if (kd_nM is None) != (radioligand_nM is None):
        raise AssayInputError("Ki needs both --kd and --radioligand (nM); only one was given")
    if kd_se_nM is not None and kd_nM is None:
        raise AssayInputError("--kd-se needs --kd (the Kd it is the standard error of) and --radioligand")
    if kd_lo_nM is not None:
        if model not in TWO_SITE_MODELS:
            raise AssayInputError("--kd-lo (the Kd at the low-affinity site) is for the two-site models")
        if kd_nM is None:
            raise AssayInputError("--kd-lo needs --kd and --radioligand (nM)")
    if model in ("fit-ki", "two-site-ki") and kd_nM is None:
        raise AssayInputError(f"--model {model} needs --kd and --radioligand (nM)")
    if kd_nM is not None and radioligand_nM is not None:
        _check_ratio(radioligand_nM, kd_nM)
    ki = KiConstants(radioligand_nM, kd_nM, kd_lo_nM, kd_se_nM)
    constants: dict[str, float] = {}
    if model == "fit-ki":
        constants = {"radioligand_nM": radioligand_nM, "kd_nM": kd_nM}  # type: ignore[dict-item]
    elif model == "two-site-ki":
        kd_lo = kd_nM if kd_lo_nM is None else kd_lo_nM
        constants = {"radioligand_nM": radioligand_nM, "kd_nM": kd_nM, "kd_lo_nM": kd_lo}  # type: ignore[dict-item]
    if not ki.has_ki:
        notes.append(
            "Ki not computed: give the radioligand's Kd and its concentration (--kd, --radioligand, nM) "
            "to apply Cheng-Prusoff"
        )
    if kd_se_nM is not None and model in TWO_SITE_MODELS:
        notes.append(
            "--kd-se: the two-site Ki limits take Kd as exact; the *_total columns are for one-site models"
        )
    opts = CompetitionOptions(model, ci, level, weights, outliers, rout_q, compare, ki, constants)
    return opts, notes


def hot_concentrations(
    counts: pd.DataFrame,
    competitors: pd.DataFrame,
    radioligand_nM: float | None,  # noqa: N803
) -> pd.Series:
    """Return the hot ligand concentration (nM) of each competitor tube, for homologous competition.

    Each tube takes its ``hot_nM`` cell when the counts have that column and it is filled, otherwise
    ``radioligand_nM``.

    Raises
    ------
    AssayInputError
        When some tube has neither.
    """
    hot = pd.Series(math.nan, index=competitors.index, dtype=float)
    if "hot_nM" in counts.columns:
        hot = counts.loc[competitors.index, "hot_nM"].astype(float)
    if radioligand_nM is not None:
        hot = hot.fillna(float(radioligand_nM))
    if hot.isna().any():
        first = competitors.loc[hot.isna()].iloc[0]
        raise AssayInputError(
            "--model homologous needs the hot ligand concentration of every tube: a hot_nM column (nM) or "
            f"--radioligand; compound '{first['compound']}' on plate '{first['plate']}' has none",
            path=counts.attrs.get("source"),
        )
    if not (np.isfinite(hot) & (hot > 0)).all():
        bad = competitors.loc[~(np.isfinite(hot) & (hot > 0))].iloc[0]
        raise AssayInputError(
            f"hot_nM must be a positive concentration; compound '{bad['compound']}' on plate "
            f"'{bad['plate']}' has {hot.loc[bad.name]!r}",
            path=counts.attrs.get("source"),
        )
    return hot


def _constraint(value: str | float, control: str, option: str) -> str | float:
    """Normalise a Top/Bottom constraint: 'free', the control's name, or a number."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise AssayInputError(f"{option} must be free, {control} or a number, not {value!r}")
        return float(value)
    text = str(value).strip().lower()
    if text in ("free", control):
        return text
    try:
        number = float(text)
    except ValueError:
        raise AssayInputError(f"{option} must be free, {control} or a number, not '{value}'") from None
    if not math.isfinite(number):
        raise AssayInputError(f"{option} must be free, {control} or a number, not '{value}'")
    return number


def plateau_constraints(
    top: str | float, bottom: str | float, *, homologous: bool = False
) -> tuple[str | float, str | float]:
    """Check ``top`` and ``bottom`` (``--top``/``--bottom``): ``"free"``, the control's name, or a number.

    Returns
    -------
    tuple
        Each normalised: ``"free"``, ``"total"``/``"nsb"`` (lower case) or a float.

    Raises
    ------
    AssayInputError
        For anything else, for a Top with ``homologous`` (which has none), and for a fixed Top not above a
        fixed Bottom: a competition curve falls from Top (total binding) to Bottom (nonspecific binding).
    """
    top_c = _constraint(top, "total", "--top")
    bottom_c = _constraint(bottom, "nsb", "--bottom")
    if homologous and top_c != "free":
        raise AssayInputError("--top does not apply to --model homologous, which has no Top (Bmax instead)")
    if isinstance(top_c, float) and isinstance(bottom_c, float) and not top_c > bottom_c:
        raise AssayInputError(
            f"--top {top_c:g} is not above --bottom {bottom_c:g}: Top is the plateau without competitor "
            "(total binding), Bottom the one it falls to (nonspecific binding); swap them"
        )
    return top_c, bottom_c
