"""Pharmacological conversions: Cheng-Prusoff and its inputs."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def cheng_prusoff(ic50: ArrayLike, radioligand: float, kd: float) -> np.ndarray:
    """Inhibition constant from IC50 by the Cheng-Prusoff equation.

    ``Ki = IC50 / (1 + [L] / Kd)``

    Parameters
    ----------
    ic50
        Concentration giving half-maximal inhibition of specific binding (any concentration unit; Ki comes
        out in the same unit).
    radioligand
        Free radioligand concentration [L] in the assay.
    kd
        The radioligand's equilibrium dissociation constant, in the same unit as ``radioligand``.

    Returns
    -------
    numpy.ndarray
        Ki, in the unit of ``ic50``.

    Raises
    ------
    ValueError
        When ``radioligand`` is negative or ``kd`` is not positive.

    Notes
    -----
    Cheng Y, Prusoff WH (1973) "Relationship between the inhibition constant (KI) and the concentration of
    inhibitor which causes 50 per cent inhibition (I50) of an enzymatic reaction", Biochem Pharmacol
    22:3099-3108. Valid for competitive, reversible binding at equilibrium with negligible ligand depletion
    (GraphPad Curve Fitting Guide, "One site - Fit Ki").

    Examples
    --------
    >>> float(cheng_prusoff(10.0, radioligand=1.0, kd=1.5))
    6.0
    """
    if not np.isfinite(radioligand) or radioligand < 0:
        raise ValueError(f"radioligand concentration must be >= 0, not {radioligand!r}")
    if not np.isfinite(kd) or kd <= 0:
        raise ValueError(f"Kd must be > 0, not {kd!r}")
    return np.asarray(ic50, dtype=float) / (1.0 + radioligand / kd)
