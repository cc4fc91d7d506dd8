"""The trial's MMRM: assaykit's REML fit against R's ``nlme::gls``, what a trial statistician would run.

For simulated three-arm trials (the example's design: visits at weeks 1, 2, 4 and 6, an unstructured
covariance of the visits, dropout that depends on the last observed change, i.e. missing at random) of 66,
300 and 1,000 patients, it times

- assaykit: ``fit_mmrm`` (REML with an unstructured covariance, LS means, the differences against placebo at
  every visit with Satterthwaite df), in process;
- R: ``gls(change ~ visit * arm + baseline * visit, correlation = corSymm, weights = varIdent, method =
  "REML")`` with nlme's default optimiser, and ``emmeans`` of the arm differences by visit (mode
  ``"df.error"``: emmeans' Satterthwaite mode for gls crashes R here), timed inside R (``system.time``, R's
  start-up excluded);

and prints the seconds, the ratio R / assaykit, and the largest difference of the primary-visit estimates
and SEs between the two (their agreement to 1e-6 is the test suite's job, ``tests/trial/test_mmrm.py``,
with R's optimiser set tight; R's default stopping rule leaves a few 1e-6 here).

Needs Rscript with nlme and emmeans. Usage: python benchmarks/bench_trial.py [--sizes 66 300 1000]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from assaykit.trial.mmrm import fit_mmrm

VISITS = (1, 2, 4, 6)
ARMS = ("placebo", "diazepam", "tofisopam")

R_SCRIPT = r"""
suppressPackageStartupMessages({library(nlme); library(emmeans)})
args <- commandArgs(TRUE)
d <- read.csv(args[1])
d$arm <- factor(d$arm, levels = c("placebo", "diazepam", "tofisopam"))
d$visit <- factor(d$visit)
d$vi <- as.integer(d$visit)
best <- Inf
for (k in 1:3) {
  t <- system.time({
    f <- gls(change ~ visit * arm + baseline * visit, d, correlation = corSymm(form = ~ vi | patient),
             weights = varIdent(form = ~ 1 | visit), method = "REML")
    emm <- emmeans(f, ~ arm | visit, mode = "df.error", data = d)
    cc <- as.data.frame(summary(contrast(emm, "trt.vs.ctrl", ref = 1)))
  })[["elapsed"]]
  best <- min(best, t)
}
last <- cc[cc$visit == levels(d$visit)[nlevels(d$visit)], ]
write.csv(data.frame(contrast = last$contrast, estimate = last$estimate, se = last$SE, seconds = best),
          args[2], row.names = FALSE)
"""


def simulate(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """One row per patient and post-baseline visit with its change from baseline (NaN once dropped out)."""
    sd = np.array([3.0, 3.6, 4.2, 4.8])
    rho = np.array([[1, 0.7, 0.55, 0.45], [0.7, 1, 0.72, 0.6], [0.55, 0.72, 1, 0.75], [0.45, 0.6, 0.75, 1]])
    chol = np.linalg.cholesky(np.outer(sd, sd) * rho)
    effect = {"placebo": 0.0, "diazepam": -6.0, "tofisopam": -5.5}
    rows = []
    for i in range(n):
        arm = ARMS[i % 3]
        baseline = float(np.clip(np.round(rng.normal(26, 4)), 20, 40))
        mean = -(np.array(VISITS) / 6) * (5.5 - effect[arm]) - 0.2 * (baseline - 26)
        change = np.round(mean + chol @ rng.normal(size=4))
        for j in range(1, 4):  # dropout after a visit, likelier without improvement (MAR)
            if np.isfinite(change[j - 1]) and rng.random() < 1 / (1 + np.exp(3.2 - 0.25 * change[j - 1])):
                change[j:] = np.nan
                break
        for visit, value in zip(VISITS, change, strict=True):
            rows.append((f"P{i + 1:04d}", arm, f"week {visit}", baseline, value))
    return pd.DataFrame(rows, columns=["patient", "arm", "visit", "baseline", "change"])


def time_ours(data: pd.DataFrame, repeat: int = 3) -> tuple[float, pd.DataFrame]:
    best, result = np.inf, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fit_mmrm(data, visits=[f"week {v}" for v in VISITS])
        best = min(best, time.perf_counter() - start)
    assert result is not None
    return best, result.primary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[66, 300, 1000])
    args = parser.parse_args()
    if shutil.which("Rscript") is None:
        raise SystemExit("Rscript is not installed: this benchmark compares with nlme::gls")
    rng = np.random.default_rng(2107)
    print("patients  visits  assaykit s  nlme::gls + emmeans s  ratio R/assaykit  max |diff| estimate, SE")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "mmrm.R"
        script.write_text(R_SCRIPT, encoding="utf-8")
        for n in args.sizes:
            data = simulate(n, rng)
            observed = data.dropna(subset=["change"])
            seconds, primary = time_ours(observed)
            data_path, out_path = Path(tmp) / f"d{n}.csv", Path(tmp) / f"r{n}.csv"
            observed.to_csv(data_path, index=False)
            subprocess.run(["Rscript", str(script), str(data_path), str(out_path)], check=True)
            r = pd.read_csv(out_path)
            r["arm"] = r["contrast"].str.split(" - ").str[0]
            both = primary.merge(r, on="arm", suffixes=("", "_r"))
            d_est = float(np.max(np.abs(both["estimate"] - both["estimate_r"])))
            d_se = float(np.max(np.abs(both["se"] - both["se_r"])))
            r_seconds = float(r["seconds"].iloc[0])
            print(
                f"{n:8d}  {len(observed):6d}  {seconds:10.3f}  {r_seconds:21.3f}  {r_seconds / seconds:16.1f}"
                f"  {d_est:.1e}, {d_se:.1e}"
            )


if __name__ == "__main__":
    main()
