"""The example PK study: its files are what the generator writes, and its true values are right.

The generator's closed forms are checked against numerical integration (scipy's ODE solver and quadrature),
so the true AUC, Tmax and terminal rate in truth.csv can serve as the reference of the NCA's tests.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from types import ModuleType

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import quad, solve_ivp
from scipy.optimize import brentq

from assaykit.io.pk import read_pk
from assaykit.io.presets import load_preset

ROOT = Path(__file__).resolve().parents[2]
FOLDER = ROOT / "examples" / "pk"


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_pk", FOLDER / "make_pk.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE = _generator()
TRUTH = pd.read_csv(FOLDER / "truth.csv")


def parameters(row: pd.Series) -> dict[str, object]:
    compound = "diazepam" if row["group"].startswith("diazepam") else "bzd23"
    return {
        "a": MAKE.COMPOUNDS[compound]["a"],
        "ka": row["ka_per_h"],
        "alpha": row["alpha_per_h"],
        "beta": row["beta_per_h"],
        "s": row["scale"],
        "kf": row["kf_per_h"],
        "km": row["km_per_h"],
    }


def curve(row: pd.Series):  # noqa: ANN201 - a closure over one animal
    p = parameters(row)
    func = MAKE.metabolite_conc if row["analyte"] == "desmethyldiazepam" else MAKE.parent_conc
    return lambda t: func(np.atleast_1d(t), row["dose_mg_kg"], p)


def test_the_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    MAKE.main(tmp_path)
    for name in ("pk.csv", "truth.csv"):
        assert (tmp_path / name).read_bytes() == (FOLDER / name).read_bytes(), name


def test_the_example_reads_as_the_study_described() -> None:
    samples = read_pk(FOLDER / "pk.csv", lloq=MAKE.LLOQ_NG_ML)
    assert samples.groupby("group")["subject"].nunique().to_dict() == {
        "bzd23-3": 6,
        "bzd23-10": 6,
        "diazepam-5": 6,
    }
    assert sorted(samples["analyte"].unique()) == ["bzd23", "desmethyldiazepam", "diazepam"]
    assert sorted(samples["time_h"].unique()) == MAKE.TIMES_H.tolist()
    assert samples["blq"].sum() == 16
    assert samples.loc[samples["blq"], "time_h"].min() >= 12.0  # late samples only
    assert (samples.loc[~samples["blq"], "conc"] >= MAKE.LLOQ_NG_ML).all()


def test_the_metabolite_closed_form_solves_its_differential_equation() -> None:
    for _, row in TRUTH[TRUTH["analyte"] == "desmethyldiazepam"].iterrows():
        p = parameters(row)
        dose = row["dose_mg_kg"]

        def rate(t: float, y: np.ndarray, p: dict[str, object] = p, dose: float = dose) -> np.ndarray:
            parent = MAKE.parent_conc(np.array([t]), dose, p)[0]
            return np.array([p["kf"] * parent - p["km"] * y[0]])

        solved = solve_ivp(rate, (0.0, 24.0), [0.0], t_eval=MAKE.TIMES_H, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(MAKE.metabolite_conc(MAKE.TIMES_H, dose, p), solved.y[0], rtol=1e-6)


def test_the_parent_closed_form_solves_the_oral_two_compartment_model() -> None:
    """Bi-exponential disposition: C = C1 + C2, dCi/dt = ka a_i gut - lambda_i Ci, gut = D s e^(-ka t)."""
    row = TRUTH.iloc[14]
    p = parameters(row)
    dose = row["dose_mg_kg"]

    def rate(t: float, y: np.ndarray) -> np.ndarray:
        gut = dose * p["s"] * math.exp(-p["ka"] * t)
        return np.array(
            [
                p["ka"] * a * gut - lam * c
                for a, lam, c in zip(p["a"], (p["alpha"], p["beta"]), y, strict=True)
            ]
        )

    solved = solve_ivp(rate, (0.0, 24.0), [0.0, 0.0], t_eval=MAKE.TIMES_H, rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(MAKE.parent_conc(MAKE.TIMES_H, dose, p), solved.y.sum(axis=0), rtol=1e-6)


@pytest.mark.parametrize("index", range(len(TRUTH)))
def test_true_auc_tmax_and_cmax(index: int) -> None:
    row = TRUTH.iloc[index]
    c = curve(row)
    area = quad(lambda t: float(c(t)[0]), 0.0, np.inf, limit=400)[0]
    assert row["auc_inf_h_ng_mL"] == pytest.approx(area, rel=1e-5)
    h = 1e-6
    tmax = brentq(lambda t: float(c(t + h)[0] - c(t - h)[0]), 0.01, 20.0)
    assert row["tmax_h"] == pytest.approx(tmax, abs=0.0015)  # a 0.001 h grid, written to 6 digits
    assert row["cmax_ng_mL"] == pytest.approx(float(c(tmax)[0]), rel=1e-5)


@pytest.mark.parametrize("index", range(len(TRUTH)))
def test_true_terminal_rate_is_the_slope_of_the_log_curve_late(index: int) -> None:
    row = TRUTH.iloc[index]
    c = curve(row)
    late = np.array([150.0, 160.0])  # long after every faster exponential has gone
    slope = -np.diff(np.log(c(late)))[0] / 10.0
    assert row["lambda_z_per_h"] == pytest.approx(slope, rel=1e-4)
    assert row["half_life_h"] == pytest.approx(math.log(2) / slope, rel=1e-4)


def test_the_samples_scatter_around_the_true_curves() -> None:
    samples = read_pk(FOLDER / "pk.csv")
    ratios = []
    for _, row in TRUTH.iterrows():
        mine = samples[(samples["subject"] == row["animal"]) & (samples["analyte"] == row["analyte"])]
        mine = mine[~mine["blq"]]
        ratios.append(mine["conc"].to_numpy() / curve(row)(mine["time_h"].to_numpy()))
    ratio = np.concatenate(ratios)
    assert np.log(ratio).std() == pytest.approx(MAKE.RESIDUAL_CV, rel=0.25)
    assert np.abs(np.log(ratio)).max() < 5 * MAKE.RESIDUAL_CV


def test_the_readme_gives_the_typical_areas() -> None:
    text = (FOLDER / "README.md").read_text(encoding="utf-8")
    typical = {name: dict(values, s=1.0) for name, values in MAKE.COMPOUNDS.items()}
    areas = [
        MAKE.parent_auc(3.0, typical["bzd23"]),
        MAKE.parent_auc(10.0, typical["bzd23"]),
        MAKE.parent_auc(5.0, typical["diazepam"]),
        MAKE.parent_auc(5.0, typical["diazepam"]) * MAKE.METABOLITE["kf"] / MAKE.METABOLITE["km"],
    ]
    for area in areas:
        assert f"{area:.0f} h*ng/mL" in text


def test_the_preset_is_for_pk_and_states_the_studys_lloq() -> None:
    preset = load_preset("pk-rodent-oral", assay="pk")
    settings = preset["pk"]
    assert settings["lloq"] == MAKE.LLOQ_NG_ML
    assert settings["route"] == "extravascular"
    assert settings["auc_method"] in ("linear-up-log-down", "linear")
    assert settings["min_points"] == 3
