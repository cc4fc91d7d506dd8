"""Hand-built canonical counts frames for the binding tests (no assaykit code is used to build them).

The canonical counts frame (see ``assaykit.io.counts``) has one row per tube with the columns
``compound, role, plate, replicate, conc_M, log_conc_M, signal, source_row`` and the attrs ``source`` and
``signal_unit``. Controls have NaN concentrations.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

COLUMNS = ["compound", "role", "plate", "replicate", "conc_M", "log_conc_M", "signal", "source_row"]


def prism_4pl(x, top, bottom, log_ic50, hill_slope):
    """GraphPad Prism's text: ``Bottom + (Top-Bottom)/(1+10^((LogIC50-X)*HillSlope))``."""
    x = np.asarray(x, dtype=float)
    return bottom + (top - bottom) / (1.0 + 10.0 ** ((log_ic50 - x) * hill_slope))


def half_log_series(lowest: float, n: int, step: float = 0.5) -> np.ndarray:
    """``n`` log10 molar concentrations from ``lowest`` in steps of ``step`` log units."""
    return lowest + step * np.arange(n)


def curve_tubes(
    compound: str,
    plate: str,
    log_conc: Sequence[float],
    replicates: int,
    signal: Sequence[float] | np.ndarray,
) -> list[dict]:
    """Competitor tubes: ``signal`` has one value per (concentration, replicate), concentration-major."""
    signal = np.asarray(signal, dtype=float).ravel()
    x = np.repeat(np.asarray(log_conc, dtype=float), replicates)
    if signal.size != x.size:
        raise ValueError("one signal per tube")
    reps = np.tile(np.arange(1, replicates + 1), len(log_conc))
    return [
        {
            "compound": compound,
            "role": "competitor",
            "plate": plate,
            "replicate": str(r),
            "conc_M": 10.0**xi,
            "log_conc_M": xi,
            "signal": float(s),
        }
        for xi, r, s in zip(x, reps, signal, strict=True)
    ]


def simulated_curve(
    compound: str,
    plate: str,
    log_conc: Sequence[float],
    replicates: int,
    *,
    top: float,
    bottom: float,
    log_ic50: float,
    hill_slope: float,
    noise_sd: float,
    rng: np.random.Generator,
) -> list[dict]:
    """Competitor tubes from Prism's 4PL plus Gaussian noise of SD ``noise_sd`` (signal units)."""
    x = np.repeat(np.asarray(log_conc, dtype=float), replicates)
    y = prism_4pl(x, top, bottom, log_ic50, hill_slope) + rng.normal(0.0, noise_sd, x.size)
    return curve_tubes(compound, plate, log_conc, replicates, y)


def control_tubes(plate: str, role: str, values: Iterable[float]) -> list[dict]:
    """TOTAL or NSB tubes of one plate."""
    name = {"total": "TOTAL", "nsb": "NSB"}[role]
    return [
        {
            "compound": name,
            "role": role,
            "plate": plate,
            "replicate": str(i + 1),
            "conc_M": np.nan,
            "log_conc_M": np.nan,
            "signal": float(v),
        }
        for i, v in enumerate(values)
    ]


def counts_frame(tubes: Iterable[dict], source: str = "built-in-test", unit: str = "cpm") -> pd.DataFrame:
    """Assemble tubes into the canonical counts frame (source_row = CSV line, header = line 1)."""
    frame = pd.DataFrame(list(tubes))
    frame["source_row"] = np.arange(len(frame)) + 2
    frame = frame[COLUMNS].reset_index(drop=True)
    frame = frame.astype({"compound": str, "role": str, "plate": str, "conc_M": float, "log_conc_M": float})
    frame["signal"] = frame["signal"].astype(float)
    frame.attrs = {"source": source, "signal_unit": unit}
    return frame
