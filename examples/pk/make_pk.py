"""Simulate a rodent oral pharmacokinetic study; write pk.csv (the samples) and truth.csv (true values).

The study: male rats, single oral gavage, serial tail-vein plasma samples at 0.25, 0.5, 1, 2, 4, 8, 12 and
24 h, 6 animals per group, plasma assayed by LC-MS/MS with an LLOQ of 1 ng/mL (samples below it are written
``BLQ``, as the laboratory reports them).

    group        compound  dose (mg/kg)  analytes
    bzd23-3      bzd23     3             bzd23 (the new 2,3-benzodiazepine)
    bzd23-10     bzd23     10            bzd23
    diazepam-5   diazepam  5             diazepam, desmethyldiazepam (its active metabolite)

Model. After an oral dose D (mg/kg) the parent's concentration is the response of a two-compartment
(bi-exponential) disposition to first-order absorption (Gabrielsson & Weiner, "Pharmacokinetic and
Pharmacodynamic Data Analysis", 5th ed., oral two-compartment model; superposition of Bateman functions):

    C(t) = D * s * sum_i a_i * ka / (ka - lambda_i) * (exp(-lambda_i t) - exp(-ka t)),  lambda = (alpha, beta)

with ``a_i`` in ng/mL per mg/kg (the bolus coefficients divided by the bioavailability's share) and ``s`` an
animal's scale. The metabolite is formed from the parent at rate ``kf * C(t)`` (ng/mL per h) and eliminated
with rate constant ``km``, so that ``Cm = kf * (C conv exp(-km t))``, in closed form

    Cm(t) = kf * sum_i b_i * [(e^(-lambda_i t) - e^(-km t)) / (km - lambda_i)
                              - (e^(-ka t) - e^(-km t)) / (km - ka)]

with ``b_i = D s a_i ka / (ka - lambda_i)``. The areas are ``AUC(0-inf) = D s sum_i a_i / lambda_i`` for the
parent and ``kf AUC_parent / km`` for the metabolite. Typical values (a rat-like diazepam: Tmax 0.5-1 h,
a distribution phase, then a faster elimination than in man; desmethyldiazepam eliminated more slowly):

    compound   ka (1/h)  alpha (1/h)  beta (1/h)  a_1, a_2 (ng/mL per mg/kg)  t1/2 beta (h)
    bzd23      1.8       1.0          0.20        40, 15                      3.47
    diazepam   3.0       1.5          0.35        60, 25                      1.98
    metabolite kf = 0.30 1/h, km = 0.12 1/h (t1/2 5.78 h)

Variability: each animal's ka, alpha, beta, s, kf and km are the typical value times exp(eta), eta normal
with SD 0.30, 0.20, 0.20, 0.30, 0.20, 0.20 (log-normal between-animal variability; CV about 30% and 20%).
Each sample gets a proportional residual error (times 1 + e, e normal with SD 0.12), is written to 3
significant figures, and is written ``BLQ`` when below the LLOQ of 1 ng/mL.

``truth.csv`` holds, per animal and analyte, the animal's parameters and the true (noise-free) Cmax, Tmax
(on a 0.001 h grid), AUC(0-inf) and terminal rate constant (the smallest of the profile's exponents) with its
half-life: what a correct analysis recovers within the noise and the sampling's limits.

Run from anywhere: ``python examples/pk/make_pk.py``. The output is the same on every run (seed 20).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SEED = 20
TIMES_H = np.array([0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 12.0, 24.0])
LLOQ_NG_ML = 1.0
N_PER_GROUP = 6
RESIDUAL_CV = 0.12

#: compound: typical ka, alpha, beta (1/h) and a_1, a_2 (ng/mL per mg/kg)
COMPOUNDS = {
    "bzd23": {"ka": 1.8, "alpha": 1.0, "beta": 0.20, "a": (40.0, 15.0)},
    "diazepam": {"ka": 3.0, "alpha": 1.5, "beta": 0.35, "a": (60.0, 25.0)},
}
#: Desmethyldiazepam: formation (kf) and elimination (km) rate constants, 1/h.
METABOLITE = {"name": "desmethyldiazepam", "kf": 0.30, "km": 0.12}
#: group: (compound, dose in mg/kg)
GROUPS = {"bzd23-3": ("bzd23", 3.0), "bzd23-10": ("bzd23", 10.0), "diazepam-5": ("diazepam", 5.0)}
#: SD of eta (log scale) per parameter
OMEGA = {"ka": 0.30, "alpha": 0.20, "beta": 0.20, "s": 0.30, "kf": 0.20, "km": 0.20}


def parent_conc(t: np.ndarray, dose: float, p: dict[str, float]) -> np.ndarray:
    """Parent concentration (ng/mL) after an oral dose: the sum of two Bateman functions."""
    t = np.asarray(t, dtype=float)
    out = np.zeros_like(t)
    for a, lam in zip(p["a"], (p["alpha"], p["beta"]), strict=True):
        b = dose * p["s"] * a * p["ka"] / (p["ka"] - lam)
        out += b * (np.exp(-lam * t) - np.exp(-p["ka"] * t))
    return out


def metabolite_conc(t: np.ndarray, dose: float, p: dict[str, float]) -> np.ndarray:
    """Metabolite concentration (ng/mL): the parent convolved with exp(-km t), times kf (closed form)."""
    t = np.asarray(t, dtype=float)
    ka, km = p["ka"], p["km"]
    out = np.zeros_like(t)
    for a, lam in zip(p["a"], (p["alpha"], p["beta"]), strict=True):
        b = dose * p["s"] * a * ka / (ka - lam)
        out += b * (
            (np.exp(-lam * t) - np.exp(-km * t)) / (km - lam)
            - (np.exp(-ka * t) - np.exp(-km * t)) / (km - ka)
        )
    return p["kf"] * out


def parent_auc(dose: float, p: dict[str, float]) -> float:
    """AUC(0-inf) of the parent, h*ng/mL: D s sum a_i / lambda_i."""
    return dose * p["s"] * sum(a / lam for a, lam in zip(p["a"], (p["alpha"], p["beta"]), strict=True))


def animal_parameters(compound: str, rng: np.random.Generator) -> dict[str, float]:
    """One animal's parameters: the typical values times exp(eta)."""
    typical = COMPOUNDS[compound]
    p: dict = {"a": typical["a"]}
    for name in ("ka", "alpha", "beta"):
        p[name] = typical[name] * np.exp(rng.normal(0.0, OMEGA[name]))
    p["s"] = float(np.exp(rng.normal(0.0, OMEGA["s"])))
    p["kf"] = METABOLITE["kf"] * np.exp(rng.normal(0.0, OMEGA["kf"]))
    p["km"] = METABOLITE["km"] * np.exp(rng.normal(0.0, OMEGA["km"]))
    return p


def observe(conc: np.ndarray, rng: np.random.Generator) -> list[str]:
    """Add the proportional residual error; write 3 significant figures, or BLQ below the LLOQ."""
    measured = conc * (1.0 + rng.normal(0.0, RESIDUAL_CV, size=conc.shape))
    return ["BLQ" if c < LLOQ_NG_ML else f"{float(f'{c:.3g}'):g}" for c in measured]


def _peak(func, dose: float, p: dict[str, float]) -> tuple[float, float]:
    grid = np.arange(0.0, 48.0, 0.001)
    c = func(grid, dose, p)
    i = int(np.argmax(c))
    return float(c[i]), float(grid[i])


def simulate() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the samples (the columns of pk.csv) and the true values per animal and analyte."""
    rng = np.random.default_rng(SEED)
    rows, truth = [], []
    number = 0
    for group, (compound, dose) in GROUPS.items():
        for _ in range(N_PER_GROUP):
            number += 1
            animal = f"r{number:02d}"
            p = animal_parameters(compound, rng)
            analytes = [(compound, parent_conc)]
            if compound == "diazepam":
                analytes.append((METABOLITE["name"], metabolite_conc))
            for analyte, func in analytes:
                cells = observe(func(TIMES_H, dose, p), rng)
                for t, c in zip(TIMES_H, cells, strict=True):
                    rows.append((animal, group, compound, analyte, f"{dose:g}", "oral", f"{t:g}", c))
                cmax, tmax = _peak(func, dose, p)
                auc = parent_auc(dose, p)
                rates = [p["ka"], p["alpha"], p["beta"]]
                if func is metabolite_conc:
                    auc *= p["kf"] / p["km"]
                    rates.append(p["km"])
                lam = min(rates)
                truth.append(
                    {
                        "animal": animal,
                        "group": group,
                        "analyte": analyte,
                        "dose_mg_kg": dose,
                        "ka_per_h": p["ka"],
                        "alpha_per_h": p["alpha"],
                        "beta_per_h": p["beta"],
                        "scale": p["s"],
                        "kf_per_h": p["kf"] if func is metabolite_conc else np.nan,
                        "km_per_h": p["km"] if func is metabolite_conc else np.nan,
                        "cmax_ng_mL": cmax,
                        "tmax_h": tmax,
                        "auc_inf_h_ng_mL": auc,
                        "lambda_z_per_h": lam,
                        "half_life_h": np.log(2) / lam,
                    }
                )
    columns = ["animal", "group", "compound", "analyte", "dose_mg_kg", "route", "time_h", "conc_ng_mL"]
    return pd.DataFrame(rows, columns=columns), pd.DataFrame(truth)


def main(folder: Path = HERE) -> None:
    """Write pk.csv and truth.csv into ``folder``."""
    samples, truth = simulate()
    samples.to_csv(folder / "pk.csv", index=False, lineterminator="\n")
    truth.to_csv(folder / "truth.csv", index=False, float_format="%.6g", lineterminator="\n")


if __name__ == "__main__":
    main()
