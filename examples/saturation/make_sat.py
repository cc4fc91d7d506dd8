"""Simulate a [3H]-flunitrazepam saturation binding experiment on rat cortical membranes; write sat.csv.

True values (what a correct analysis should recover, within the noise):

    radioligand       [3H]-flunitrazepam, specific activity 85 Ci/mmol, 0.1 to 20 nM (10 concentrations)
    tissue            rat cortical membranes, 0.1 mg protein per tube, 1.0 ml assay volume
    counting          efficiency 0.45 (cpm/dpm), 1 min counts (so counts = cpm)
    Kd                1.5 nM
    Bmax              1.2 pmol/mg = 1200 fmol/mg x 0.1 mg = 120 fmol per tube
                      = 120 fmol x 85 Ci/mmol x 2.22 dpm/fmol per Ci/mmol x 0.45 = 10189.8 cpm
    nonspecific       NS x [L] + Background, NS = 150 cpm/nM, Background = 30 cpm
                      (NSB defined with 10 uM diazepam)

Every concentration has three TOTAL tubes (radioligand alone) and three NSB tubes. Each tube gets 4%
proportional Gaussian noise (pipetting, membrane amount) and then Poisson counting noise, so counts are
whole cpm. The top concentration is 13 x Kd, so Bmax is defined by the data.

Run from anywhere: ``python examples/saturation/make_sat.py``. The output is the same on every run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
KD_NM = 1.5
BMAX_FMOL_PER_MG = 1200.0
PROTEIN_MG = 0.1
SPECIFIC_ACTIVITY_CI_MMOL = 85.0
EFFICIENCY = 0.45
DPM_PER_FMOL_PER_CI_MMOL = 2.22  # 1 Ci = 2.22e12 dpm; 1 mmol = 1e12 fmol
NS_CPM_PER_NM = 150.0
BACKGROUND_CPM = 30.0
CONCENTRATIONS_NM = (0.1, 0.2, 0.35, 0.6, 1.0, 1.75, 3.0, 5.5, 10.0, 20.0)
N_REPLICATES = 3
PROPORTIONAL_CV = 0.04

#: Bmax in cpm: fmol per tube x dpm/fmol x cpm/dpm.
BMAX_CPM = BMAX_FMOL_PER_MG * PROTEIN_MG * SPECIFIC_ACTIVITY_CI_MMOL * DPM_PER_FMOL_PER_CI_MMOL * EFFICIENCY


def expected_cpm(conc_nM: np.ndarray, total: bool) -> np.ndarray:
    """Prism's global model: total = Bmax*X/(Kd + X) + NS*X + Background; nonspecific = NS*X + Background."""
    nonspecific = NS_CPM_PER_NM * conc_nM + BACKGROUND_CPM
    return nonspecific + (BMAX_CPM * conc_nM / (KD_NM + conc_nM) if total else 0.0)


def count(expected: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Add proportional Gaussian noise, then Poisson counting noise."""
    noisy = expected * (1 + PROPORTIONAL_CV * rng.standard_normal(np.shape(expected)))
    return rng.poisson(np.clip(noisy, 0, None))


def simulate(rng: np.random.Generator) -> pd.DataFrame:
    """One row per tube: for each concentration, three TOTAL tubes then three NSB tubes."""
    rows = []
    for conc in CONCENTRATIONS_NM:
        for kind, total in (("total", True), ("nsb", False)):
            cpm = count(np.full(N_REPLICATES, expected_cpm(np.array(conc), total)), rng)
            rows += [(kind, rep, conc, value) for rep, value in enumerate(cpm, start=1)]
    return pd.DataFrame(rows, columns=["kind", "replicate", "conc_nM", "cpm"])


def main() -> None:
    tubes = simulate(np.random.default_rng(2026))
    path = HERE / "sat.csv"
    tubes.to_csv(path, index=False, lineterminator="\n")
    print(f"wrote {len(tubes)} tubes to {path} (Bmax {BMAX_CPM:.1f} cpm, Kd {KD_NM} nM)")


if __name__ == "__main__":
    main()
