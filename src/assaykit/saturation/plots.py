"""Publication-style plot of one saturation binding experiment: the binding curves and a Scatchard plot."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from assaykit.plotting import zero_based_limits

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Columns ``plot_saturation`` needs in ``points``.
POINT_COLUMNS = ("kind", "conc_nM", "signal", "specific")

_TOTAL_COLOUR = "#0072B2"
_NSB_COLOUR = "#7F7F7F"
_SPECIFIC_COLOUR = "#D55E00"
_FIGSIZE = (8.0, 3.4)


def plot_saturation(
    points: pd.DataFrame,
    fit: Mapping[str, Any],
    path: str | Path,
    *,
    title: str | None = None,
    signal_unit: str = "cpm",
) -> Path:
    """Plot one saturation data set (binding curves and Scatchard plot) and write the figure atomically.

    Left: bound radioligand against its concentration (nM, linear axis). Total-binding tubes, NSB tubes and
    specific binding (total minus nonspecific) are drawn as points, each replicate on its own; the fitted
    curves are drawn over them: for the global models (``one-site-total``, ``two-site-total``) the total
    curve, the nonspecific line ``NS*X + Background`` and the specific curve; for the specific-binding
    models the specific curve. Kd and Bmax (and Bmax in fmol/mg when known) are the panel's title.

    Right: the Scatchard transform of specific binding, bound/free against bound, with free taken as the
    added concentration, and the fitted curve drawn in the same coordinates (for one site, the straight
    line from ``(0, Bmax/Kd)`` to ``(Bmax, 0)``). It is labelled "for display; not used to fit": the
    parameters come from the nonlinear fit, not from a regression on the transformed data.

    Parameters
    ----------
    points
        The tubes of ONE data set: ``kind`` (``total``, ``nsb`` or ``specific``), ``conc_nM``, ``signal``
        and ``specific`` (specific binding of the tube, NaN for NSB tubes), in ``signal_unit``.
    fit
        The data set's result row, whose parameters are named with ``signal_unit`` (``bmax_cpm``,
        ``ns_slope_cpm_per_nM``, ...; :data:`~assaykit.saturation.columns.PARAMETER_COLUMNS`), or a mapping
        with ``model`` and the parameters of that model in
        :data:`~assaykit.fitting.saturation_models.SATURATION_MODELS` under their own names (``bmax``,
        ``kd_nM``, ``ns_slope``, ``background``); optionally ``bmax_fmol_per_mg``. When a parameter is NaN
        or missing the fit is taken as failed: only the points are drawn and the plot says "fit failed".
    path
        Output file: ``.png`` (200 dpi), ``.pdf`` or ``.svg``, in an existing folder.
    title
        Figure title, for example the data set.
    signal_unit
        Unit of the signal, for the axis labels.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    ValueError
        When ``points`` lacks a column.
    AssayInputError
        When the figure cannot be written (unknown extension, missing folder); no file is left behind.

    Examples
    --------
    >>> import pandas as pd
    >>> points = pd.DataFrame({"kind": ["total", "nsb"], "conc_nM": [1.0, 1.0], "signal": [4200.0, 180.0],
    ...                        "specific": [4020.0, float("nan")]})
    >>> fit = {"model": "one-site-total", "bmax": 10000, "kd_nM": 1.5, "ns_slope": 150, "background": 30}
    >>> plot_saturation(points, fit, "sat.png", title="rat cortex")  # doctest: +SKIP
    PosixPath('sat.png')
    """
    from assaykit.plotting import blank_figure, cleared_on_error, house_style, require_columns, save_figure

    require_columns(points, POINT_COLUMNS)
    tubes = _finite(points)
    model, params = _read_fit(fit, signal_unit)
    with house_style():
        fig = blank_figure(*_FIGSIZE)
        with cleared_on_error(fig):
            ax_curve, ax_scatchard = fig.subplots(1, 2)
            ax_curve.set_label("saturation")
            ax_scatchard.set_label("scatchard")
            _draw_curves(ax_curve, tubes, model, params, fit, signal_unit)
            _draw_scatchard(ax_scatchard, tubes, model, params, signal_unit)
            heading = title or ""
            if model is None:
                heading = f"{heading} (fit failed)" if heading else "fit failed"
            if heading:
                fig.suptitle(heading, fontsize=11)
        return save_figure(fig, path)


def _finite(points: pd.DataFrame) -> pd.DataFrame:
    """Return the rows with a finite concentration, as floats, kinds in lower case."""
    out = pd.DataFrame(
        {
            "kind": points["kind"].astype(str).str.lower().to_numpy(),
            **{
                c: pd.to_numeric(points[c], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
                for c in ("conc_nM", "signal", "specific")
            },
        }
    )
    return out[np.isfinite(out["conc_nM"])]


def _read_fit(fit: Mapping[str, Any], unit: str) -> tuple[Any, dict[str, float]]:
    """Return the fitted model (None when the fit failed) and its parameter values.

    A parameter is read from its result column (``bmax_<unit>``, ...) or, failing that, its own name.
    """
    from assaykit.fitting.saturation_models import SATURATION_MODELS
    from assaykit.saturation.columns import PARAMETER_COLUMNS, column_name

    lowered = {str(k).lower(): v for k, v in fit.items()}
    model = SATURATION_MODELS.get(str(lowered.get("model")))
    if model is None:
        return None, {}
    params = {}
    for name in model.param_names:
        column = column_name(PARAMETER_COLUMNS.get(name, name), unit).lower()
        params[name] = _as_float(lowered.get(column, lowered.get(name.lower())))
    if not all(math.isfinite(v) for v in params.values()):
        return None, {}
    return model, params


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _specific_curve(model: Any, params: Mapping[str, float], x: np.ndarray) -> np.ndarray:
    if "is_total" in model.data_columns:
        return model.func(x, **params, is_total=np.ones_like(x)) - model.func(
            x, **params, is_total=np.zeros_like(x)
        )
    return model.func(x, **params)


def _draw_curves(
    ax: Axes,
    tubes: pd.DataFrame,
    model: Any,
    params: Mapping[str, float],
    fit: Mapping[str, Any],
    unit: str,
) -> None:
    x_max = float(tubes["conc_nM"].max()) if len(tubes) else 10.0
    grid = np.linspace(0.0, 1.05 * x_max, 400)
    y_values: list[np.ndarray] = []
    for kind, colour, label in (("total", _TOTAL_COLOUR, "total"), ("nsb", _NSB_COLOUR, "nonspecific")):
        rows = tubes[tubes["kind"] == kind]
        if len(rows):
            ax.plot(rows["conc_nM"], rows["signal"], "o", mfc="none", mec=colour, mew=0.8, ms=5, label=label)
            y_values.append(rows["signal"].to_numpy())
    specific = tubes[np.isfinite(tubes["specific"]) & (tubes["kind"] != "nsb")]
    if len(specific):
        ax.plot(
            specific["conc_nM"], specific["specific"], "o", color=_SPECIFIC_COLOUR, ms=3.5, label="specific"
        )
        y_values.append(specific["specific"].to_numpy())
    if model is not None:
        if "is_total" in model.data_columns:
            total = model.func(grid, **params, is_total=np.ones_like(grid))
            nonspecific = model.func(grid, **params, is_total=np.zeros_like(grid))
            ax.plot(grid, total, "-", color=_TOTAL_COLOUR, lw=1.3)
            ax.plot(grid, nonspecific, "-", color=_NSB_COLOUR, lw=1.3)
            y_values += [total, nonspecific]
        curve = _specific_curve(model, params, grid)
        ax.plot(grid, curve, "-", color=_SPECIFIC_COLOUR, lw=1.5, label=f"fit ({model.name})")
        y_values.append(curve)
        ax.set_title(_annotation(params, fit, unit), fontsize=8.5)
    else:
        ax.text(0.97, 0.5, "fit failed", transform=ax.transAxes, ha="right", va="center", color="#B00000")
    values = np.concatenate(y_values) if y_values else np.array([0.0, 1.0])
    ax.set_xlim(0.0, 1.05 * x_max)
    ax.set_ylim(*zero_based_limits(values))
    ax.set_xlabel("[radioligand] (nM)")
    ax.set_ylabel(f"Bound ({unit})")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper left", fontsize=7.5)


#: The converted Bmax the terminal table shows (the first one the run has), and its unit.
_CONVERTED = (("bmax_fmol_per_mg", "fmol/mg"), ("sites_per_cell", "sites/cell"), ("bmax_fmol", "fmol"))


def _annotation(params: Mapping[str, float], fit: Mapping[str, Any], unit: str) -> str:
    """Return Kd and Bmax as the terminal table rounds them (:mod:`assaykit.saturation.report`).

    Bmax is the table's ``bmax_<unit>`` when ``fit`` is a result row (for two sites, BmaxHi + BmaxLo),
    and the converted Bmax the table shows follows it in brackets.
    """
    from assaykit.saturation.columns import column_name
    from assaykit.saturation.report import BMAX_DIGITS, KD_DIGITS

    lowered = {str(k).lower(): v for k, v in fit.items()}

    def kd(value: float) -> str:
        return _rounded(value, KD_DIGITS)

    if "kd_nM" in params:
        kds = f"K$_d$ = {kd(params['kd_nM'])} nM"
        bmax = params["bmax"]
    else:
        kds = f"K$_{{d,hi}}$ = {kd(params['kd_hi_nM'])} nM, K$_{{d,lo}}$ = {kd(params['kd_lo_nM'])} nM"
        bmax = params["bmax_hi"] + params["bmax_lo"]
    table_bmax = _as_float(lowered.get(column_name("bmax_{u}", unit).lower()))
    bmax = table_bmax if math.isfinite(table_bmax) else bmax
    line = f"B$_{{max}}$ = {_rounded(bmax, BMAX_DIGITS)} {unit}"
    for column, converted_unit in _CONVERTED:
        converted = _as_float(lowered.get(column))
        if math.isfinite(converted):
            line += f" ({_rounded(converted, BMAX_DIGITS)} {converted_unit})"
            break
    return f"{kds}\n{line}"


def _draw_scatchard(
    ax: Axes, tubes: pd.DataFrame, model: Any, params: Mapping[str, float], unit: str
) -> None:
    specific = tubes[np.isfinite(tubes["specific"]) & (tubes["kind"] != "nsb")]
    bound = specific["specific"].to_numpy()
    ratio = bound / specific["conc_nM"].to_numpy()
    ax.plot(bound, ratio, "o", color=_SPECIFIC_COLOUR, ms=3.5, label="specific")
    x_values, y_values = [bound], [ratio]
    if model is not None:
        # The fitted curve in Scatchard coordinates, traced over concentrations far beyond the data on both
        # sides; for one site it is the straight line from (0, Bmax/Kd) to (Bmax, 0).
        lo = float(specific["conc_nM"].min()) if len(specific) else 0.01
        hi = float(specific["conc_nM"].max()) if len(specific) else 100.0
        free = np.geomspace(lo * 1e-4, hi * 1e4, 600)
        fitted = _specific_curve(model, params, free)
        ax.plot(
            fitted,
            fitted / free,
            "-",
            color=_SPECIFIC_COLOUR,
            lw=1.3,
            label="fit (for display; not used to fit)",
        )
        keep = free <= hi * 10  # scale the axes to the data and the curve near them
        x_values.append(fitted[keep])
        y_values.append((fitted / free)[keep])
    ax.set_xlim(*zero_based_limits(np.concatenate(x_values)))
    ax.set_ylim(*zero_based_limits(np.concatenate(y_values)))
    ax.set_xlabel(f"Specific bound ({unit})")
    ax.set_ylabel(f"Bound/Free ({unit}/nM)")
    ax.set_title("Scatchard", fontsize=9)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="upper right", fontsize=7.5)


def _rounded(value: float, digits: int) -> str:
    """Format a number as the terminal table does (:func:`assaykit.formatting.sig`); "n/a" if not finite."""
    from assaykit.formatting import sig

    return sig(value, digits) if math.isfinite(value) else "n/a"
