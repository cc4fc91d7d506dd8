"""Dunnett's test: assaykit's deterministic quadrature against scipy.stats.dunnett's quasi-Monte Carlo.

For families of 2 to 8 treated groups against one control (n = 6 to 12 animals per group, effects from
null to large, so p-values from about 1 down to 1e-9), it times one family's adjusted p-values and the
simultaneous 95% intervals by both, and reports

- the time per family of each and their ratio (scipy / assaykit);
- the spread of scipy's adjusted p-values over 10 seeds (its integration error), and the largest
  difference between scipy and assaykit, absolute and relative to p;
- the critical values of both against Dunnett's published two-sided 5% table (Dunnett 1964, Biometrics
  20:482-491: equal n, 10 and 20 error df), printed to 2 decimals.

The reference for assaykit's accuracy is R (tests/stats/reference/, mvtnorm's TVPACK and Miwa algorithms
and a nested integrate() run beside the stored values): the test suite holds it to 1e-8 there.

Usage: python benchmarks/bench_dunnett.py [--families 20]
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from scipy import stats

from assaykit.stats.parametric import dunnett_vs_control
from assaykit.stats.simultaneous import max_modulus_quantile

#: Dunnett (1964) two-sided 5% critical values, equal n: error df -> values for 1..9 treated groups.
TABLE = {
    10: (2.23, 2.57, 2.76, 2.89, 2.99, 3.07, 3.14, 3.19, 3.24),
    20: (2.09, 2.38, 2.54, 2.65, 2.73, 2.80, 2.86, 2.90, 2.95),
}


def _families(count: int, rng: np.random.Generator) -> list[tuple[list[np.ndarray], np.ndarray]]:
    out = []
    for i in range(count):
        k = 2 + i % 7
        n = int(rng.integers(6, 13))
        control = rng.normal(0.0, 1.0, n)
        effects = rng.choice([0.0, 0.5, 1.5, 4.0], size=k)
        out.append(([rng.normal(e, 1.0, n) for e in effects], control))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--families", type=int, default=20)
    args = parser.parse_args()
    families = _families(args.families, np.random.default_rng(7))

    start = time.perf_counter()
    ours = [dunnett_vs_control(groups, control) for groups, control in families]
    t_ours = (time.perf_counter() - start) / len(families)

    start = time.perf_counter()
    theirs = []
    for groups, control in families:
        result = stats.dunnett(*groups, control=control, rng=1)
        result.confidence_interval()
        theirs.append(result)
    t_scipy = (time.perf_counter() - start) / len(families)

    spread = 0.0
    worst_abs = worst_rel = 0.0
    for (groups, control), mine in zip(families, ours, strict=True):
        runs = np.array([stats.dunnett(*groups, control=control, rng=s).pvalue for s in range(10)])
        spread = max(spread, float(np.max(runs.max(axis=0) - runs.min(axis=0))))
        diff = np.abs(runs - mine.p_adjusted)
        worst_abs = max(worst_abs, float(diff.max()))
        worst_rel = max(worst_rel, float(np.max(diff / np.maximum(mine.p_adjusted, 1e-300))))

    print(f"families: {len(families)} (2 to 8 treated groups, 6 to 12 animals each)")
    print(f"time per family: assaykit {t_ours * 1e3:.1f} ms, scipy.stats.dunnett {t_scipy * 1e3:.1f} ms")
    print(f"ratio scipy / assaykit: {t_scipy / t_ours:.2f}")
    print(f"scipy's adjusted p over 10 seeds: spread up to {spread:.1e} (assaykit: deterministic)")
    print(f"largest |scipy - assaykit|: {worst_abs:.1e} absolute, {worst_rel:.1e} relative to p")
    print("critical values (two-sided 5%, equal n) against Dunnett's 1964 table:")
    for df, values in TABLE.items():
        for k in (2, 4, 9):
            exact = max_modulus_quantile(0.05, [math.sqrt(0.5)] * k, df)  # equal n: loadings sqrt(1/2)
            print(f"  df {df}, {k} treated: table {values[k - 1]:.2f}, assaykit {exact:.4f}")


if __name__ == "__main__":
    main()
