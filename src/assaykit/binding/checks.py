"""Implausible competition input, plate by plate and curve by curve: what keeps a curve from being fitted.

A curve is not fitted (its row says ``not_fitted: <why>`` and a warning names the plate) when

- its plate's TOTAL mean is not above its NSB mean (:func:`swapped_plates`): the specific window
  ``TOTAL - NSB`` must be positive for specific binding to mean anything, and a negative one almost always
  means the TOTAL and NSB labels were swapped;
- ``--top total`` or ``--bottom nsb`` fixes a plateau at a control its plate lacks;
- more than half of its tubes lie outside the plausible concentrations of
  :data:`assaykit.plausible.PLAUSIBLE_MOLAR` (a compound whose concentrations were written in another unit
  than the column's, in a file whose other compounds are right).

A fitted curve is flagged ``signal_outside_controls`` (and a warning names it) when its median tube lies
more than two specific windows above its plate's TOTAL mean or below its NSB mean
(:func:`outside_controls`).
A competitor can raise binding above TOTAL (an allosteric enhancer) and noise scatters the bottom plateau
around NSB, but neither by twice the whole window: such counts come from another plate, another counting
protocol or another unit.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from assaykit.binding.curves import Curves
from assaykit.formatting import sig
from assaykit.plausible import PLAUSIBLE_TEXT, format_molar, outside_plausible

#: ``signal_outside_controls`` when a curve's median tube is more than this many specific windows above
#: TOTAL or below NSB.
MAX_WINDOWS_OUTSIDE = 2.0


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _count(value: float) -> str:
    """Format a mean count for a message: whole counts from 100 up, else three significant figures."""
    return f"{value:.0f}" if abs(value) >= 100 else sig(value, 3)


def swapped_plates(means: pd.DataFrame, unit: str) -> dict[str, str]:
    """Return why each plate whose TOTAL mean is not above its NSB mean cannot be analysed.

    Parameters
    ----------
    means
        Mean total and NSB signal per plate (:func:`~assaykit.binding.controls.control_means`).
    unit
        The signal unit, for the message.

    Returns
    -------
    dict
        Plate -> reason, e.g. ``"TOTAL mean 237 cpm is not above the NSB mean 3194 cpm; are the TOTAL and
        NSB labels swapped?"`` (for equal means: ``"...; the plate has no specific binding"``); plates
        lacking either control are not judged here.
    """
    reasons = {}
    for plate, total, nsb in zip(means.index, means["total"], means["nsb"], strict=True):
        if math.isfinite(total) and math.isfinite(nsb) and not total > nsb:
            why = (
                "are the TOTAL and NSB labels swapped?"
                if total < nsb
                else "the plate has no specific binding"
            )
            reasons[str(plate)] = (
                f"TOTAL mean {_count(total)} {unit} is not above the NSB mean {_count(nsb)} {unit}; {why}"
            )
    return reasons


def missing_controls(means: pd.DataFrame, plates: Sequence[object]) -> list[str]:
    """Return notes naming the plates that have curves but no TOTAL or no NSB tubes.

    Nothing is wrong with such a plate when Top and Bottom are free, but what needs the controls stays
    empty there (specific binding, % specific, the window, Z', the ``bottom_vs_nsb`` check).

    Parameters
    ----------
    means
        Mean total and NSB signal per plate.
    plates
        The plates that have curves.
    """
    with_curves = means.reindex(pd.Index(list(dict.fromkeys(plates)), dtype=object))
    lacking: dict[str, list[str]] = {}
    for plate, total, nsb in zip(with_curves.index, with_curves["total"], with_curves["nsb"], strict=True):
        missing = [name for name, mean in (("TOTAL", total), ("NSB", nsb)) if not math.isfinite(mean)]
        if missing:
            lacking.setdefault(" or ".join(missing), []).append(str(plate))
    notes = []
    for missing, names in lacking.items():
        listed = ", ".join(f"'{p}'" for p in names[:10]) + (", ..." if len(names) > 10 else "")
        several = len(names) > 1
        notes.append(
            f"plate{'s' if several else ''} {listed} {'have' if several else 'has'} no {missing} tubes: "
            "specific binding, % specific, the window and Z' are empty there, and Bottom is not checked "
            "against NSB"
        )
    return notes


_Message = Callable[[str, str, int], str]  # a plate's warning from its name, reason and number of curves

#: At most this many plates get a warning each; more share one warning that shows the first of them.
MAX_PLATE_WARNINGS = 5


def _warn_plates(messages: list[str]) -> None:
    """Warn once per plate, or once for all when there are more than :data:`MAX_PLATE_WARNINGS`."""
    if len(messages) <= MAX_PLATE_WARNINGS:
        for message in messages:
            warnings.warn(message, UserWarning, stacklevel=4)
    else:
        shown = "; ".join(messages[:MAX_PLATE_WARNINGS])
        warnings.warn(
            f"{len(messages)} plates have curves not fitted: {shown}; ...", UserWarning, stacklevel=4
        )


def unfittable_curves(
    curves: Curves, means: pd.DataFrame, fixed: Mapping[str, np.ndarray], unit: str
) -> dict[int, str]:
    """Return why each curve that must not be fitted cannot be, and warn once per plate.

    Parameters
    ----------
    curves
        The curves (:func:`~assaykit.binding.curves.build_curves`).
    means
        Mean total and NSB signal per plate.
    fixed
        The fixed plateaus (:func:`~assaykit.binding.curves.fixed_plateaus`): NaN where ``top="total"`` or
        ``bottom="nsb"`` meets a plate without that control.
    unit
        The signal unit, for messages.

    Returns
    -------
    dict
        Curve position -> reason (the rules are in the module docstring; the first that applies).

    Warns
    -----
    UserWarning
        Once per plate with swapped controls, and once per plate lacking a control a plateau is fixed at
        (one warning for all when more than :data:`MAX_PLATE_WARNINGS` plates).
    """
    table = curves.table
    codes, uniques = pd.factorize(table["plate"].to_numpy(object))
    names = [str(n) for n in uniques]
    reasons: dict[int, str] = {}

    def add(where: np.ndarray, plate_reasons: Mapping[int, str], warn: _Message) -> None:
        """Give each curve in ``where`` its plate's reason (plate code -> reason) and warn per plate."""
        counts = np.bincount(codes[where], minlength=len(names))
        messages = []
        for k, reason in plate_reasons.items():
            if counts[k]:
                for i in np.flatnonzero(where & (codes == k)):
                    reasons.setdefault(int(i), reason)
                messages.append(warn(names[k], reason, int(counts[k])))
        _warn_plates(messages)

    position = {name: k for k, name in enumerate(names)}
    swapped = {position[p]: r for p, r in swapped_plates(means, unit).items() if p in position}
    add(
        np.ones(len(codes), bool),
        swapped,
        lambda plate, reason, n: f"plate '{plate}' not analysed ({_plural(n, 'curve')} not fitted): {reason}",
    )
    for name, control, option in (("top", "total", "--top"), ("bottom", "nsb", "--bottom")):
        if name in fixed:
            missing = ~np.isfinite(fixed[name])
            needs = f"{option} {control} needs {control.upper()} tubes, but plate"
            lacking = {int(k): f"{needs} '{names[k]}' has none" for k in np.unique(codes[missing])}
            add(missing, lacking, lambda plate, reason, n: f"{reason} ({_plural(n, 'curve')} not fitted)")
    x, mask = curves.padded.columns[0], curves.padded.mask
    outside = mask & outside_plausible(x)
    implausible = 2 * outside.sum(axis=1) > mask.sum(axis=1)
    for i in np.flatnonzero(implausible):
        lo, hi = float(table["x_lo"].iat[i]), float(table["x_hi"].iat[i])
        reasons.setdefault(
            int(i),
            f"its concentrations ({format_molar(10**lo)} to {format_molar(10**hi)}) lie outside the "
            f"plausible {PLAUSIBLE_TEXT}; check their unit",
        )
    return reasons


#: Curves whose median tube is computed at once (bounds the temporary copies of the padded signal).
_ROWS_AT_ONCE = 10_000


def outside_controls(curves: Curves, unit: str, skip: Mapping[int, str] | None = None) -> np.ndarray:
    """Tell which curves' counts lie far outside their plate's controls, and warn naming them.

    Parameters
    ----------
    curves
        The curves; their ``total_mean`` and ``nsb_mean`` (NaN skips the check, as does a window <= 0).
    unit
        The signal unit, for the message.
    skip
        Curves not fitted (not judged).

    Returns
    -------
    numpy.ndarray
        One bool per curve: the median tube lies more than :data:`MAX_WINDOWS_OUTSIDE` specific windows
        above TOTAL or below NSB (``signal_outside_controls``).

    Warns
    -----
    UserWarning
        Naming the curves flagged.
    """
    table = curves.table
    total, nsb = table["total_mean"].to_numpy(float), table["nsb_mean"].to_numpy(float)
    window = total - nsb
    mask, signal = curves.padded.mask, curves.padded.columns[1]
    median = np.empty(len(table))
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # a curve of no tubes: NaN
        for start in range(0, len(table), _ROWS_AT_ONCE):  # rows at a time: nanmedian copies what it gets
            rows = slice(start, start + _ROWS_AT_ONCE)
            median[rows] = np.nanmedian(np.where(mask[rows], signal[rows], np.nan), axis=1)
        flagged = (window > 0) & (
            (median > total + MAX_WINDOWS_OUTSIDE * window) | (median < nsb - MAX_WINDOWS_OUTSIDE * window)
        )
    if skip:
        flagged[list(skip)] = False
    if flagged.any():
        names = [
            f"'{c}' on plate '{p}' (median {_count(m)} {unit}; TOTAL {_count(t)}, NSB {_count(n)})"
            for c, p, m, t, n in zip(
                table["compound"][flagged], table["plate"][flagged], median[flagged], total[flagged],
                nsb[flagged], strict=True,
            )
        ]  # fmt: skip
        shown = "; ".join(names[:5]) + ("; ..." if len(names) > 5 else "")
        warnings.warn(
            f"{_plural(len(names), 'curve')} {'lies' if len(names) == 1 else 'lie'} far outside the plate's "
            "controls (the median tube more "
            f"than {MAX_WINDOWS_OUTSIDE:g} specific windows above TOTAL or below NSB; flag "
            f"signal_outside_controls): "
            f"{shown}; check that the tubes belong to that plate and were counted the same way",
            UserWarning,
            stacklevel=3,
        )
    return flagged
