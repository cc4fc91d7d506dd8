"""The adjustment across secondary endpoints, checked against a brute-force closed test."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from assaykit.multiplicity import holm
from assaykit.stats.endpoint_family import adjust_across_endpoints


def _closed_test(p: dict[tuple[str, str], float]) -> dict[tuple[str, str], float]:
    """Adjusted p of every hypothesis by enumerating every intersection (Marcus, Peritz & Gabriel 1976).

    The local test of an intersection J is Bonferroni over its endpoints of the smallest within-endpoint
    adjusted p: ``min over e in E(J) of |E(J)| min_{g in J_e} p(e, g)``.
    """
    keys = list(p)
    adjusted = dict.fromkeys(keys, 0.0)
    for size in range(1, len(keys) + 1):
        for subset in itertools.combinations(keys, size):
            endpoints = {e for e, _ in subset}
            local = min(len(endpoints) * min(p[(e, g)] for e2, g in subset if e2 == e) for e in endpoints)
            local = min(local, 1.0)
            for key in subset:
                adjusted[key] = max(adjusted[key], local)
    return adjusted


def _table(p: dict[tuple[str, str], float], primary: str) -> pd.DataFrame:
    rows = [{"endpoint": primary, "group": g, "p_adjusted": 0.03} for g in ("a", "b")]
    rows += [{"endpoint": e, "group": g, "p_adjusted": v} for (e, g), v in p.items()]
    return pd.DataFrame(rows)


@pytest.mark.parametrize("seed", range(12))
def test_holm_across_endpoints_equals_the_closed_test(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n_endpoints = int(rng.integers(2, 4))
    groups = ["a", "b", "c"][: int(rng.integers(1, 4))]
    p = {
        (f"e{i}", g): float(rng.choice([rng.uniform(0, 0.05), rng.uniform(0, 1)]))
        for i in range(n_endpoints)
        for g in groups
    }
    table = _table(p, "primary")
    role, across = adjust_across_endpoints(table, "primary", "holm")
    expected = _closed_test(p)
    secondary = table["endpoint"] != "primary"
    assert list(role[secondary]) == ["secondary"] * len(p)
    assert list(role[~secondary]) == ["primary", "primary"]
    assert np.allclose(across[~secondary], 0.03)  # the primary endpoint is tested as it stands
    for i in np.flatnonzero(secondary.to_numpy()):
        key = (table.at[i, "endpoint"], table.at[i, "group"])
        assert across[i] == pytest.approx(expected[key], abs=1e-15)


def test_one_group_is_holm_over_the_endpoints() -> None:
    p = {("e1", "a"): 0.01, ("e2", "a"): 0.04, ("e3", "a"): 0.03}
    table = _table(p, "primary")
    _, across = adjust_across_endpoints(table, "primary", "holm")
    assert np.allclose(across[2:], holm([0.01, 0.04, 0.03]))


def test_bonferroni_none_and_no_primary() -> None:
    p = {("e1", "a"): 0.01, ("e1", "b"): 0.2, ("e2", "a"): 0.4}
    table = _table(p, "primary")
    _, bonferroni = adjust_across_endpoints(table, "primary", "bonferroni")
    assert np.allclose(bonferroni[2:], [0.02, 0.4, 0.8])
    _, none = adjust_across_endpoints(table, "primary", "none")
    assert np.allclose(none, table["p_adjusted"])
    role, same = adjust_across_endpoints(table, None)
    assert set(role) == {""} and np.allclose(same, table["p_adjusted"])


def test_untested_comparisons_stay_out_of_the_family() -> None:
    p = {("e1", "a"): 0.01, ("e2", "a"): float("nan"), ("e3", "a"): 0.02}
    table = _table(p, "primary")
    _, across = adjust_across_endpoints(table, "primary", "holm")
    assert np.isnan(across[3])
    assert np.allclose(across[[2, 4]], holm([0.01, 0.02]))  # two endpoints in the family, not three
