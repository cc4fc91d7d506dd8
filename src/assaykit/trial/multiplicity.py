"""Multiplicity across a trial's primary and key secondary comparisons: fixed sequence and Holm.

The comparisons are tested in a pre-specified hierarchy (ICH E9 section 5.6; EMA Guideline on
multiplicity issues in clinical trials, 2016; Dmitrienko A, Tamhane AC, Bretz F (2010) Multiple Testing
Problems in Pharmaceutical Statistics, ch. 2). Each step of the hierarchy is one comparison or a family
of comparisons:

* a single comparison is tested at the full alpha, and the testing goes on to the next step only when
  it is rejected (fixed-sequence testing, Maurer W, Hothorn LA, Lehmacher W (1995) Multiple comparisons
  in drug clinical trials and preclinical assays: a-priori ordered hypotheses. In: Vollmar J (ed)
  Biometrie in der chemisch-pharmazeutischen Industrie 6:3-18);
* a family (e.g. both drugs against placebo on the primary endpoint) is tested by Holm's step-down
  procedure at the full alpha (:func:`assaykit.multiplicity.holm`), and the next step is reached only
  when every comparison of the family is rejected (a serial gatekeeper: Dmitrienko A, Offen WW,
  Westfall PH (2003) Stat Med 22:2387-2400).

This controls the family-wise error rate over the whole hierarchy at alpha in the strong sense. The
adjusted p-value of a comparison is the largest of its Holm-adjusted p-value within its step and the
adjusted p-values of every earlier step; a comparison is rejected when its adjusted p-value is at most
alpha, which is the same as testing step by step.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from assaykit.errors import AssayInputError
from assaykit.multiplicity import holm

__all__ = ["fixed_sequence", "hierarchical_tests"]

Step = tuple[str, float] | Sequence[tuple[str, float]]


def fixed_sequence(p_values: Sequence[float], alpha: float = 0.05) -> list[bool]:
    """Fixed-sequence test of comparisons in their pre-specified order.

    Parameters
    ----------
    p_values
        The raw p-values in the order of the hierarchy (NaN, a comparison not made, stops the sequence).
    alpha
        The family-wise error rate.

    Returns
    -------
    list of bool
        Rejected or not: every comparison up to the first with ``p > alpha`` (or NaN) is rejected, none
        after it.

    Examples
    --------
    >>> fixed_sequence([0.01, 0.04, 0.2, 0.001])
    [True, True, False, False]
    """
    if not 0 < alpha < 1:
        raise AssayInputError(f"alpha must be between 0 and 1, not {alpha}")
    out, going = [], True
    for p in p_values:
        going = going and bool(np.isfinite(p) and p <= alpha)
        out.append(going)
    return out


def hierarchical_tests(hierarchy: Sequence[Step], *, alpha: float = 0.05) -> pd.DataFrame:
    """Test a hierarchy of comparisons: single steps in fixed sequence, families by Holm (gatekeeping).

    Parameters
    ----------
    hierarchy
        The steps in order; each is ``(name, p)`` or a list of ``(name, p)`` tested together by Holm.
        E.g. ``[[("tofisopam vs placebo", p1), ("diazepam vs placebo", p2)], ("responders", p3)]``.
    alpha
        The family-wise error rate.

    Returns
    -------
    pandas.DataFrame
        One row per comparison in hierarchy order: ``step`` (1-based), ``comparison``, ``p_value``,
        ``method`` (``"fixed sequence"`` or ``"Holm"``), ``p_adjusted`` and ``rejected``.

    Raises
    ------
    AssayInputError
        A step is empty, a name is repeated, a p-value is outside [0, 1], or alpha is not in (0, 1).
    """
    if not 0 < alpha < 1:
        raise AssayInputError(f"alpha must be between 0 and 1, not {alpha}")
    rows, gate, seen = [], 0.0, set()
    for k, step in enumerate(hierarchy, start=1):
        single = isinstance(step, tuple) and len(step) == 2 and isinstance(step[0], str)
        members = [step] if single else list(step)
        if not members:
            raise AssayInputError(f"step {k} of the hierarchy has no comparison")
        names = [str(name) for name, _ in members]
        p = np.array([float(value) for _, value in members])
        for name, value in zip(names, p, strict=True):
            if name in seen:
                raise AssayInputError(f"comparison {name!r} appears twice in the hierarchy")
            seen.add(name)
            if not (np.isnan(value) or 0 <= value <= 1):
                raise AssayInputError(f"comparison {name!r}: p = {value} is not between 0 and 1")
        # NaN (a comparison not made) cannot be rejected and closes the gate behind it.
        adjusted = np.where(np.isnan(p), 1.0, holm(np.where(np.isnan(p), 1.0, p)))
        adjusted = np.maximum(adjusted, gate)
        for name, value, adj in zip(names, p, adjusted, strict=True):
            method = "fixed sequence" if single else "Holm"
            rows.append(
                {
                    "step": k,
                    "comparison": name,
                    "p_value": value,
                    "method": method,
                    "p_adjusted": float(adj),
                    "rejected": bool(adj <= alpha),
                }
            )
        gate = float(adjusted.max())
    table = pd.DataFrame(rows, columns=["step", "comparison", "p_value", "method", "p_adjusted", "rejected"])
    table.attrs["alpha"] = alpha
    return table
