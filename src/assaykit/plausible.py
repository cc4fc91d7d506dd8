"""Plausible concentrations: the one check every reader of concentrations (and every nM option) goes through.

A concentration column whose values, read in the unit its name gives, are not concentrations a binding
assay can hold is a unit mistake: molar values in a ``conc_nM`` column give an IC50 of femtomolar, nM values
in a ``conc_M`` column one of kilomolar. :func:`check_concentrations` judges a column and
:func:`check_nM_value` one option value (``--kd``, ``--radioligand``), both pure; :func:`report_range`
turns the verdict into an error or a warning. The rules and their rationale are in the docstrings of
:data:`PLAUSIBLE_MOLAR`, :data:`TOP_RANGES` and :func:`check_concentrations`.

Used by :mod:`assaykit.io.counts` (long and wide layouts, the ``hot_nM`` column),
:mod:`assaykit.io.saturation`, the binding options (:mod:`assaykit.binding.options`, presets and
``--kd-from`` tables), curve by curve :mod:`assaykit.binding.checks` and, data set by data set,
:mod:`assaykit.saturation.checks`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from assaykit.errors import AssayInputError
from assaykit.units import MOLAR_FACTORS, ConcentrationUnit

#: The molar window every concentration of a binding assay lies in: 1 fM to 100 mM.
#:
#: Below 1 fM a 1 ml tube holds fewer than a million molecules of the ligand, orders of magnitude fewer than
#: the receptors on the membranes in it (0.1 mg of protein at 1 pmol/mg holds 6e10 sites), so no binding
#: can be measured; the highest affinities known are around 1e-13 M. Above 100 mM a compound would be near
#: the ionic strength of the buffer itself (physiological saline is 150 mM), far above what dissolves at
#: the 1% DMSO of a binding assay (a 10 mM stock gives 100 uM). A value outside the window is a unit
#: mistake (molar values in a ``conc_nM`` column are 1e9 times too small), not a concentration.
PLAUSIBLE_MOLAR: tuple[float, float] = (1e-15, 1e-1)

Kind = Literal["competitor", "radioligand", "kd"]


@dataclass(frozen=True)
class TopRange:
    """Where an assay puts its highest concentration (or, for ``kd``, where a radioligand's Kd lies), molar.

    Attributes
    ----------
    what
        What the concentration is, for messages.
    typical
        The usual range; a suggested unit is the one that puts the value here.
    plausible
        Ten times wider on each side: a value outside is a warning (closed interval).
    """

    what: str
    typical: tuple[float, float]
    plausible: tuple[float, float]


#: The range of each kind of concentration, with its rationale:
#:
#: - ``competitor``: the highest competitor concentration of a competition curve is typically 1 uM to 1 mM,
#:   enough to reach the bottom plateau of compounds with Ki up to about 10 uM and within the solubility of
#:   a 10-100 mM DMSO stock diluted to 1% DMSO;
#: - ``radioligand``: the highest radioligand concentration of a saturation experiment (and the hot ligand
#:   of homologous competition, ``--radioligand``) is typically 1-100 nM, about 10 x Kd (GraphPad Curve
#:   Fitting Guide, "Analyzing saturation radioligand binding data"); radioactivity and cost rule out much
#:   more;
#: - ``kd``: a radioligand is useful when its Kd is between about 10 pM and 100 nM.
TOP_RANGES: dict[str, TopRange] = {
    "competitor": TopRange("the highest competitor concentration", (1e-6, 1e-3), (1e-7, 1e-2)),
    "radioligand": TopRange("the highest radioligand concentration", (1e-9, 1e-7), (1e-10, 1e-6)),
    "kd": TopRange("a radioligand's Kd", (1e-11, 1e-7), (1e-12, 1e-6)),
}

#: Units a suggestion may name (fM is read but never suggested).
_SUGGESTED_UNITS = ("M", "mM", "uM", "nM", "pM")
_FACTOR_WORDS = {1.0: "molar", 1e-3: "mM", 1e-6: "uM", 1e-9: "nM", 1e-12: "pM", 1e-15: "fM"}
_EPS = 1e-9  # log10 tolerance at the window's edges (1e-6 nM is 1e-15 M up to rounding)
_PREFIXES = ((1.0, "M"), (1e-3, "mM"), (1e-6, "uM"), (1e-9, "nM"), (1e-12, "pM"), (1e-15, "fM"))


@dataclass(frozen=True)
class RangeCheck:
    """The verdict on a set of concentrations that are not all plausible.

    Attributes
    ----------
    error
        True: no meaningful fit can come out (raise); False: a warning.
    message
        One line saying what is wrong and what the likely unit is, without the file or column.
    suggestion
        The column name (``conc_M``, ``log_conc_M``, ...) or option value suggested, if any.
    """

    error: bool
    message: str
    suggestion: str | None = None


def format_molar(molar: float) -> str:
    """Format a molar concentration with the prefix that makes it 1 to 999: ``1.6e-14`` -> ``"16 fM"``.

    Values beyond the prefixes (at least 1000 M, below 1 fM) are written in M (``"1e-19 M"``).
    """
    if not (math.isfinite(molar) and molar > 0):
        return f"{molar:g} M"
    for factor, unit in _PREFIXES:
        scaled = molar / factor
        if 1.0 <= float(f"{scaled:.3g}") < 1000.0:
            return f"{scaled:.3g} {unit}"
    return f"{molar:.3g} M"


#: :data:`PLAUSIBLE_MOLAR` as messages write it.
PLAUSIBLE_TEXT = f"{format_molar(PLAUSIBLE_MOLAR[0])} to {format_molar(PLAUSIBLE_MOLAR[1])}"


def outside_plausible(log_molar: np.ndarray) -> np.ndarray:
    """Tell which log10 molar concentrations lie outside :data:`PLAUSIBLE_MOLAR` (NaN: False)."""
    low, high = (math.log10(v) for v in PLAUSIBLE_MOLAR)
    return (log_molar < low - _EPS) | (log_molar > high + _EPS)


def _distance(log_value: float, band: tuple[float, float]) -> float:
    """How far (log10 units) a value lies outside a band; 0 inside."""
    low, high = (math.log10(v) for v in band)
    return max(low - log_value, log_value - high, 0.0)


def _in(log_value: float, band: tuple[float, float]) -> bool:
    return math.log10(band[0]) - _EPS <= log_value <= math.log10(band[1]) + _EPS


def _best(candidates: dict[str, tuple[float, float, float]], kind: Kind) -> str | None:
    """Pick the likely reading of some values among other units (or other log conventions).

    ``candidates`` maps each reading to the log10 molar (lowest, highest) value it gives and how far
    (log10) it lies from the reading as given. Readings that leave a value outside the window, or the
    highest outside the kind's plausible top range, are out; of the rest, the one whose highest value lies
    nearest the typical range wins, and among equals the smallest change of unit (a 1000-fold mistake is
    likelier than a million-fold one).
    """
    top = TOP_RANGES[kind]
    fitting = {
        name: (low, high, change)
        for name, (low, high, change) in candidates.items()
        if _in(high, top.plausible) and not outside_plausible(np.array([low, high])).any()
    }
    if not fitting:
        return None
    return min(fitting, key=lambda name: (_distance(fitting[name][1], top.typical), abs(fitting[name][2])))


def _listing(values: Sequence[object], limit: int) -> str:
    shown = ", ".join(map(str, values[:limit]))
    return shown + (", ..." if len(values) > limit else "")


def check_concentrations(
    values: np.ndarray | Sequence[float],
    unit: ConcentrationUnit,
    *,
    kind: Kind = "competitor",
    rows: np.ndarray | Sequence[int] | None = None,
    renamable: bool = True,
    labels: np.ndarray | Sequence[str] | None = None,
) -> RangeCheck | None:
    """Check that a column's concentrations are plausible once read in the column's unit.

    Parameters
    ----------
    values
        The column's values as written (in ``unit``; log10 molar for a log column). Values that are not
        concentrations (NaN, inf, and zero or negative values of a linear column) are ignored: the readers
        report those cell by cell.
    unit
        The column's unit (:func:`~assaykit.units.parse_conc_column`).
    kind
        ``"competitor"`` (competition curves), ``"radioligand"`` (saturation binding, hot ligand) or
        ``"kd"``: which :data:`TOP_RANGES` entry the highest value is held to.
    rows
        The file row of each value, to name the rows of the values outside the window.
    renamable
        Whether the unit is the user's choice of column name (``conc_<unit>``). False for a column of a
        fixed unit (``hot_nM``): the suggestion is then to convert the values, not to rename the column.
    labels
        What each value belongs to (the compound), to name those of the values outside the window.

    Returns
    -------
    RangeCheck or None
        None when every value is plausible. Otherwise, by this rule:

        - an **error** when more than half of the distinct values (so also a tested range wholly outside)
          lie outside :data:`PLAUSIBLE_MOLAR`: no meaningful curve can come out of the column as named;
        - a **warning** when only some do (a few mistyped cells), naming them and their rows;
        - a **warning** when every value is plausible but the highest lies outside the kind's plausible top
          range (:data:`TOP_RANGES`: ten times beyond where such assays put it) and another unit would put
          it there, e.g. nM values in a ``conc_pM`` column of a saturation file. (Unusual values that no
          other unit explains are left alone.)

        The message suggests the unit (the column name) that puts the highest value nearest where such
        assays put it and every value in the window, when there is one other than the column's own:
        ``these look like molar values: name the column conc_M``. Distinct values are counted so that
        replicates do not weigh in. A 1000-fold mistake that leaves the highest value in the plausible top
        range (nM values read as uM with a top of 10 uM) cannot be told from the data and is not reported.

    Examples
    --------
    >>> from assaykit.units import parse_conc_column
    >>> unit = parse_conc_column("conc_nM")
    >>> print(check_concentrations([1e-10, 1e-9, 1e-8, 1e-7], unit).message)  # doctest: +NORMALIZE_WHITESPACE
    read as nM, the concentrations 1e-10 to 1e-07 are 1e-19 M to 1e-16 M, outside the plausible 1 fM to
    100 mM (all 4 distinct values); these look like molar values: name the column conc_M
    >>> check_concentrations([0.1, 1, 10, 100, 1000, 10000], unit) is None
    True
    """
    values = np.asarray(values, dtype=float)
    usable = np.isfinite(values) & (True if unit.log else values > 0)
    if not usable.any():
        return None
    scale = 0.0 if unit.log else math.log10(unit.factor)
    with np.errstate(divide="ignore", invalid="ignore"):
        written_log = values if unit.log else np.log10(np.where(usable, values, 1.0))
    log_molar = np.where(usable, written_log + scale, np.nan)
    distinct = np.unique(log_molar[usable])
    outside = outside_plausible(distinct)
    read_as = "log10(mol/L)" if unit.log else _FACTOR_WORDS.get(unit.factor, unit.column)
    lo_written, hi_written = float(np.min(values[usable])), float(np.max(values[usable]))
    span = f"{lo_written:g}" if lo_written == hi_written else f"{lo_written:g} to {hi_written:g}"
    molar_span = format_molar(10 ** distinct[0])
    if distinct.size > 1:
        molar_span += f" to {format_molar(10 ** distinct[-1])}"
    suggestion, looks, fix = _suggest(written_log[usable], unit, kind)
    if suggestion is not None and not renamable and not unit.log:
        ratio = MOLAR_FACTORS[suggestion.removeprefix("conc_")] / unit.factor
        fix = f"give them in {_FACTOR_WORDS[unit.factor]} (multiply by {ratio:g})"
    n_out = int(outside.sum())
    if 2 * n_out > distinct.size:
        share = f"all {distinct.size}" if outside.all() else f"{n_out} of {distinct.size}"
        share += " distinct values" if distinct.size > 1 else " value"
        advice = f"these look like {looks}: {fix}" if looks else "check the unit in the column name"
        message = (
            f"read as {read_as}, the concentrations {span} are {molar_span}, outside the plausible "
            f"{PLAUSIBLE_TEXT} ({share}); {advice}"
        )
        return RangeCheck(True, message, suggestion)
    if n_out:
        listed = _listing([format_molar(10**v) for v in distinct[outside]], 3)
        message = (
            f"read as {read_as}, {n_out} of {distinct.size} distinct concentrations ({listed}) "
            f"{'lies' if n_out == 1 else 'lie'} outside the plausible {PLAUSIBLE_TEXT}"
        )
        where = usable & outside_plausible(np.where(usable, log_molar, 0.0))
        parts = []
        if labels is not None:
            names = list(dict.fromkeys(str(n) for n in np.asarray(labels, dtype=object)[where]))
            parts.append(f"{'compound' if len(names) == 1 else 'compounds'} {_listing(names, 5)}")
        if rows is not None:
            parts.append(f"rows {_listing(np.asarray(rows)[where].tolist(), 10)}")
        message += f" ({'; '.join(parts)})" if parts else ""
        message += f"; these look like {looks}: {fix}" if looks else "; check those cells"
        return RangeCheck(False, message, suggestion)
    top = TOP_RANGES[kind]
    if looks and not _in(float(distinct[-1]), top.plausible):
        typical = f"{format_molar(top.typical[0])} to {format_molar(top.typical[1])}"
        message = (
            f"read as {read_as}, {top.what} {hi_written:g} is {format_molar(10 ** distinct[-1])}, far from "
            f"where such assays put it (typically {typical}); if these are {looks}, {fix}"
        )
        return RangeCheck(False, message, suggestion)
    return None


def _suggest(written_log: np.ndarray, unit: ConcentrationUnit, kind: Kind) -> tuple[str | None, str, str]:
    """Find the likely reading of a column whose values have these log10 values (or are these log values).

    Returns the suggested column name, what the values look like and what to do (``"molar values"``,
    ``"name the column conc_M"``); (None, "", "") when no other reading is plausible.
    """
    lo, hi = float(np.min(written_log)), float(np.max(written_log))
    shifts = {u: math.log10(MOLAR_FACTORS[u]) for u in _SUGGESTED_UNITS}
    current = 0.0 if unit.log else math.log10(unit.factor)
    candidates = {u: (lo + shift, hi + shift, shift - current) for u, shift in shifts.items()}
    if unit.log:  # log10 molar expected: -log10 molar values (as pKi is written), or log10 of another unit
        best = _best({**candidates, "-": (-hi, -lo, 0.0)}, kind)
        if best is None or best == "M":
            return None, "", ""
        if best == "-":
            return (
                "log_conc_M",
                "-log10 molar values (9 for 1 nM)",
                "log_conc_M holds log10(mol/L), so negate them",
            )
        return (
            "log_conc_M",
            f"log10 {best} values",
            f"log_conc_M holds log10(mol/L), so subtract {-round(shifts[best])} (or give the {best} values "
            f"in a conc_{best} column)",
        )
    best = _best(candidates, kind)
    if best is None or MOLAR_FACTORS[best] == unit.factor:
        return None, "", ""
    return f"conc_{best}", f"{_FACTOR_WORDS[MOLAR_FACTORS[best]]} values", f"name the column conc_{best}"


def check_nM_value(value: float, name: str, *, kind: Kind) -> RangeCheck | None:  # noqa: N802 - the unit
    """Check that one concentration given in nM (an option such as ``--kd``) is plausible.

    Parameters
    ----------
    value
        The value, nM (positive and finite: checked before).
    name
        The option as the user gave it, for the message (``--kd``, ``kd_nM``).
    kind
        ``"radioligand"`` (``--radioligand``, the hot ligand) or ``"kd"`` (``--kd``, ``--kd-lo``).

    Returns
    -------
    RangeCheck or None
        None when plausible; an error when the value lies outside :data:`PLAUSIBLE_MOLAR` (``--kd 1.5e-9``
        meant as molar is 1.5e-18 M); a warning when it lies outside the kind's plausible range
        (:data:`TOP_RANGES`). The message suggests the value in nM under the likely unit, if one is
        plausible; ``suggestion`` is that value, as text.

    Examples
    --------
    >>> print(check_nM_value(1.5e-9, "--kd", kind="kd").message)  # doctest: +NORMALIZE_WHITESPACE
    --kd 1.5e-09 nM is 1.5e-18 M, outside the plausible 1 fM to 100 mM; --kd is in nM: this looks like a
    molar value, so give --kd 1.5
    """
    molar = value * 1e-9
    log_written = math.log10(value)
    candidates = {
        u: (log_written + math.log10(MOLAR_FACTORS[u]),) * 2 + (math.log10(MOLAR_FACTORS[u]) + 9,)
        for u in _SUGGESTED_UNITS
    }
    best = _best(candidates, kind)
    looks = fix = suggestion = None
    if best is not None and best != "nM":
        suggestion = f"{value * MOLAR_FACTORS[best] / 1e-9:g}"
        looks, fix = f"a {_FACTOR_WORDS[MOLAR_FACTORS[best]]} value", f"give {name} {suggestion}"
    if outside_plausible(np.array([math.log10(molar)])).any():
        message = f"{name} {value:g} nM is {format_molar(molar)}, outside the plausible {PLAUSIBLE_TEXT}"
        message += f"; {name} is in nM"
        message += f": this looks like {looks}, so {fix}" if looks else ""
        return RangeCheck(True, message, suggestion)
    top = TOP_RANGES[kind]
    if not _in(math.log10(molar), top.plausible):
        typical = f"{format_molar(top.typical[0])} to {format_molar(top.typical[1])}"
        message = f"{name} {value:g} nM is {format_molar(molar)}, unusual for {top.what} "
        message += f"(typically {typical}); "
        message += f"if it is {looks}, {fix}" if looks else f"check its unit ({name} is in nM)"
        return RangeCheck(False, message, suggestion)
    return None


def looks_like_log_molar(values: np.ndarray | Sequence[float]) -> bool:
    """Tell whether negative values in a linear concentration column read as log10 molar concentrations.

    True when there is at least one finite value and every one lies in the log10 of
    :data:`PLAUSIBLE_MOLAR` (-15 to -1): the column most likely holds ``log_conc_M`` values.
    """
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    low, high = (math.log10(v) for v in PLAUSIBLE_MOLAR)
    return bool(values.size) and bool(((values >= low) & (values <= high)).all())


def report_range(
    check: RangeCheck | None,
    *,
    path: str | Path | None = None,
    column: str | None = None,
    stacklevel: int = 2,
) -> None:
    """Raise the error or issue the warning of a :class:`RangeCheck` (nothing for None).

    The warning (``UserWarning``) reads as the error would: ``<path>, column '<column>': <message>``.

    Raises
    ------
    AssayInputError
        When ``check.error``.
    """
    if check is None:
        return
    error = AssayInputError(check.message, path=path, column=column)
    if check.error:
        raise error
    warnings.warn(str(error), UserWarning, stacklevel=stacklevel + 1)
