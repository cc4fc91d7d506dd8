"""The curves of a counts table: one row per compound x plate, and their tubes as padded arrays.

Everything here is computed for all curves at once (no loop over curves), so that building the curves of a
10,000-compound screen costs milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from assaykit.distinct import column_codes, group_codes
from assaykit.errors import AssayInputError
from assaykit.fitting.fit_types import CurveFit
from assaykit.fitting.fitset import FitSet
from assaykit.fitting.padded import PaddedCurves, pad_groups, padded_index


@dataclass(frozen=True)
class Curves:
    """The competition curves of a counts table.

    Attributes
    ----------
    table
        One row per curve in order of first appearance: ``compound``, ``plate``, ``n_points``, ``x_lo``,
        ``x_hi`` (tested log10 range), ``total_mean``, ``nsb_mean``, ``nsb_se``, ``nsb_n`` (the plate's
        controls, the SE of its NSB mean and its NSB tubes; NaN for a curve mixing hot concentrations,
        whose NSB differ), ``n_outliers`` (NaN) and ``rout_converged`` (True).
    padded
        The curves' tubes: columns ``x`` (log10 M), ``y`` (signal) and, for homologous competition,
        ``hot_nM``; ``rows`` are positions in the competitor table.
    mixed_hot
        Whether each curve mixes hot ligand concentrations.
    """

    table: pd.DataFrame
    padded: PaddedCurves
    mixed_hot: np.ndarray

    def __len__(self) -> int:
        return len(self.table)

    def points(self, i: int) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray] | None]:
        """Return curve ``i``'s ``x``, ``y`` and per-point data (``hot_nM``), in table order."""
        n = int(self.table["n_points"].iat[i])
        x, y = self.padded.columns[0][i, :n], self.padded.columns[1][i, :n]
        data = None if len(self.padded.columns) < 3 else {"hot_nM": self.padded.columns[2][i, :n]}
        return x, y, data


def build_curves(
    counts: pd.DataFrame,
    is_competitor: np.ndarray,
    means: pd.DataFrame,
    hot: pd.Series | None,
    source: object = None,
) -> Curves:
    """Group competitor tubes into curves (compound x plate) and attach each plate's control means.

    Parameters
    ----------
    counts
        The canonical counts frame.
    is_competitor
        Which of its tubes are competitor tubes (the others are left out).
    means
        Mean total and NSB signal per plate (:func:`~assaykit.binding.controls.control_means`).
    hot
        Hot ligand concentration of each competitor tube (homologous competition), or None.
    source
        The input file, for error messages.

    Returns
    -------
    Curves
        The curve table and the padded tubes (``padded.rows``: positions among the competitor tubes).

    Notes
    -----
    The tubes' columns are taken one at a time, not as a copy of the competitor rows: for a screen of a
    million curves each column is hundreds of megabytes.
    """
    c_codes, c_names = column_codes(counts["compound"].array[is_competitor])
    p_codes, p_names = column_codes(counts["plate"].array[is_competitor])
    n_plates = max(len(p_names), 1)
    key = c_codes.astype(np.int64) * n_plates + p_codes  # one number per (compound, plate)
    del c_codes, p_codes  # a million curves' tubes: let each temporary go as soon as it is used
    codes, keys = group_codes(key)
    del key
    n_curves = len(keys)
    tubes = np.flatnonzero(is_competitor).astype(padded_index(len(is_competitor)))
    extra = () if hot is None else (hot.to_numpy(float),)
    padded = pad_groups(codes, n_curves, tubes, *extra)  # each curve's tubes: their rows in the counts
    del codes, tubes
    filled, *hot_padded = padded.columns
    columns = [counts[name].to_numpy(float)[filled] for name in ("log_conc_M", "signal")]
    del filled
    padded = PaddedCurves(mask=padded.mask, rows=padded.rows, columns=(*columns, *hot_padded))
    x = padded.columns[0]
    mask = padded.mask
    curve_plate = p_names[keys % n_plates]
    mixed = np.zeros(n_curves, bool)
    if hot is not None:
        h = padded.columns[2]
        mixed = np.where(mask, h, np.inf).min(axis=1) != np.where(mask, h, -np.inf).max(axis=1)
    plate_means = means.reindex(pd.Index(curve_plate, dtype=object))
    table = pd.DataFrame(
        {
            "compound": c_names[keys // n_plates],
            "plate": curve_plate,
            "n_points": mask.sum(axis=1),
            "x_lo": np.where(mask, x, np.inf).min(axis=1) if n_curves else np.empty(0),
            "x_hi": np.where(mask, x, -np.inf).max(axis=1) if n_curves else np.empty(0),
            "total_mean": np.where(mixed, np.nan, plate_means["total"].to_numpy(float)),
            "nsb_mean": np.where(mixed, np.nan, plate_means["nsb"].to_numpy(float)),
            "nsb_se": np.where(mixed, np.nan, plate_means["nsb_se"].to_numpy(float)),
            "nsb_n": np.where(mixed, np.nan, plate_means["nsb_n"].to_numpy(float)),
            "n_outliers": np.full(n_curves, np.nan),
            "rout_converged": np.ones(n_curves, bool),
        }
    )
    return Curves(table=table, padded=padded, mixed_hot=mixed)


def fixed_plateaus(
    curves: Curves, constraints: Mapping[str, str | float], source: object = None
) -> dict[str, np.ndarray]:
    """Return the per-curve values of the plateaus held constant (``top``/``bottom``).

    Parameters
    ----------
    curves
        The curves.
    constraints
        ``{"top": "free" | "total" | number, "bottom": "free" | "nsb" | number}``.
    source
        The input file, for error messages.

    Returns
    -------
    dict of numpy.ndarray
        One array per fixed parameter, one value per curve; NaN for a curve whose plate lacks the control
        the plateau is fixed at (such a curve is not fitted: see
        :func:`~assaykit.binding.checks.unfittable_curves`).

    Raises
    ------
    AssayInputError
        When ``bottom`` is fixed at NSB for a curve that mixes hot concentrations (whose NSB differ).
    """
    table = curves.table
    fixed: dict[str, np.ndarray] = {}
    for name, control in (("top", "total"), ("bottom", "nsb")):
        constraint = constraints.get(name, "free")
        if constraint == "free":
            continue
        if isinstance(constraint, float):
            fixed[name] = np.full(len(table), constraint)
            continue
        if name == "bottom" and curves.mixed_hot.any():
            i = int(np.argmax(curves.mixed_hot))
            raise AssayInputError(
                f"--bottom nsb: '{table['compound'].iat[i]}' on plate '{table['plate'].iat[i]}' mixes hot "
                "concentrations, whose NSB differ; leave Bottom free (Prism's shared NS) or fit each hot "
                "concentration on its own plate id",
                path=source,  # type: ignore[arg-type]
            )
        fixed[name] = table[f"{control}_mean"].to_numpy(float)  # NaN: the plate lacks the control
    return fixed


class CurveFits(Mapping):
    """The fit of each curve, keyed by ``(compound, plate)``; None for a curve that could not be fitted.

    Fits made by the batch engine are turned into :class:`~assaykit.fitting.CurveFit` objects only when
    looked up, so a 10,000-curve analysis does not build 10,000 objects nobody reads.
    """

    def __init__(
        self,
        keys: list[tuple[str, str]],
        batch: FitSet | None,
        batch_row: np.ndarray,
        singles: Mapping[int, CurveFit | None],
    ) -> None:
        self._keys = keys
        self._batch = batch
        self._batch_row = batch_row  # curve -> row of ``batch``, -1 when fitted one at a time
        self._singles = dict(singles)
        self._index: dict[tuple[str, str], int] | None = None

    def _position(self, key: tuple[str, str]) -> int:
        if self._index is None:
            self._index = {k: i for i, k in enumerate(self._keys)}
        return self._index[key]

    def __getitem__(self, key: tuple[str, str]) -> CurveFit | None:
        i = self._position(key)
        if i not in self._singles:
            row = int(self._batch_row[i])
            self._singles[i] = None if row < 0 or self._batch is None else self._batch.fit(row)
        return self._singles[i]

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def report_progress(progress: Callable[[int, int], None] | None, done: int, total: int) -> None:
    """Call ``progress(done, total)`` if a callback was given."""
    if progress is not None:
        progress(done, total)


def fitted_values(curves: Curves, fits: FitSet, fitted: np.ndarray, size: int) -> np.ndarray:
    """Evaluate each fitted curve at its own tubes; return one value per competitor tube (NaN if unfitted).

    Parameters
    ----------
    curves
        The curves.
    fits
        The fits; fit ``i`` is curve ``fitted[i]``.
    fitted
        Positions of the fitted curves.
    size
        Number of competitor tubes.
    """
    if not len(fits):
        return np.full(size, math.nan)
    columns = curves.padded.columns
    x = columns[0][fitted]
    values = {name: fits.values[:, j : j + 1] for j, name in enumerate(fits.model.param_names)}
    data = {} if len(columns) < 3 else {"hot_nM": columns[2][fitted]}
    with np.errstate(over="ignore", invalid="ignore"):
        predicted = fits.model.func(x, **values, **fits.constants, **data)
    padded = np.full(curves.padded.mask.shape, np.nan)
    padded[fitted] = np.where(fits.converged[:, None], predicted, np.nan)  # no curve from a failed fit
    return curves.padded.scatter(padded, size)
