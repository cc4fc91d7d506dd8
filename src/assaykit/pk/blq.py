"""Samples below the limit of quantification (BLQ): which become zero and which are left out.

The usual rules of non-compartmental analysis (Gabrielsson & Weiner 2016, section 2.8; the Phoenix
WinNonlin user's guide, "Data exclusion and BLQ"): a BLQ sample *before* the first measurable
concentration is taken as 0 (the drug has not yet appeared, and the area it bounds is real), and a BLQ
sample *after* it (between two measurable values, or in the tail) is left out as missing, so that the
terminal phase is neither cut short nor bent down by an invented zero. Both are options.

PKNCA's defaults (``PKNCA.options("conc.blq")``: ``first = "keep"``, ``middle = "drop"``,
``last = "keep"``; "keep" meaning as 0) differ only for trailing BLQ samples, which PKNCA keeps as 0:
they change neither AUClast (which ends at Tlast) nor lambda_z (zeros are never fitted), only PKNCA's
AUCall, which assaykit does not report.
"""

from __future__ import annotations

import numpy as np

__all__ = ["apply_blq_rules", "blq_between_measurable"]

_RULES_BEFORE = ("zero", "missing")
_RULES_AFTER = ("missing", "zero")


def apply_blq_rules(
    conc: np.ndarray, blq: np.ndarray, *, before: str = "zero", after: str = "missing"
) -> np.ndarray:
    """Return the concentrations to analyse: BLQ samples as 0 or NaN by the rules.

    Parameters
    ----------
    conc
        Concentrations in time order (NaN where missing or BLQ).
    blq
        True where the sample was below the limit of quantification (its ``conc`` is ignored).
    before
        ``"zero"`` (default) or ``"missing"``: BLQ samples before the first measurable concentration.
    after
        ``"missing"`` (default) or ``"zero"``: BLQ samples after the first measurable concentration.

    Returns
    -------
    numpy.ndarray
        A copy of ``conc`` with BLQ samples set to 0 or NaN; other missing values stay NaN. A profile with
        no measurable value has every BLQ sample treated by ``before``.
    """
    if before not in _RULES_BEFORE:
        raise ValueError(f"blq_before must be one of {_RULES_BEFORE}, not {before!r}")
    if after not in _RULES_AFTER:
        raise ValueError(f"blq_after must be one of {_RULES_AFTER}, not {after!r}")
    conc = np.asarray(conc, dtype=float)
    blq = np.asarray(blq, dtype=bool)
    out = np.where(blq, np.nan, conc)
    measurable = np.flatnonzero(~blq & (out > 0))
    first = measurable[0] if measurable.size else len(out)
    index = np.arange(len(out))
    out[blq & (index < first)] = 0.0 if before == "zero" else np.nan
    out[blq & (index > first)] = 0.0 if after == "zero" else np.nan
    return out


def blq_between_measurable(conc: np.ndarray, blq: np.ndarray) -> bool:
    """Return True when a BLQ sample lies between two measurable (positive, not BLQ) concentrations.

    Such a sample is usually an assay failure or a mislabelled tube rather than a real dip, and is worth a
    look (flag ``blq_between_measurable``).
    """
    blq = np.asarray(blq, dtype=bool)
    measurable = np.flatnonzero(~blq & (np.asarray(conc, dtype=float) > 0))
    if measurable.size < 2:
        return False
    return bool(blq[measurable[0] : measurable[-1]].any())
