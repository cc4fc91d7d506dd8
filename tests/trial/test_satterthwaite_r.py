"""Satterthwaite degrees of freedom of the MMRM's contrasts against an R reference written by hand
(tests/trial/reference/satterthwaite.R: the delta method on nlme's own parameterisation of the covariance).

The reference has two columns of degrees of freedom, both ``2 (l'Cl)^2 / (g' A g)`` with ``g`` by central
differences of ``l'C(theta)l`` in nlme's parameters:

- ``df``: ``A = fit$apVar``, nlme's approximate covariance of the covariance parameters, the inverse of a
  numerical Hessian (``fdHess``) of the REML log-likelihood with a relative step of 6e-6. Rounding leaves that
  Hessian ~1e-3 off (``max |A_own - apVar| / max |apVar|`` is 1.1e-3 for the unstructured fit and 3.3e-4 for
  compound symmetry), and the degrees of freedom with it are measured 6.3e-4 (unstructured) and 2.0e-4
  (compound symmetry) relative from ours at most; the tolerances are a little above those.
- ``df_own_hessian``: ``A`` the inverse of a central-difference Hessian (step 5e-4) of the REML log-likelihood
  written out in R (it equals ``logLik(fit)`` at the estimate to 5e-13). Measured within 7.6e-7
  (unstructured) and 3.1e-7 (compound symmetry) of ours; that Hessian's own truncation error is of that order
  (halving its step moves its df by up to 5e-7 relative), so the tolerance is 2e-6.

Ours is exact where an exact value is known: every patient attended visit 4, so under the unstructured
covariance the visit-4 contrasts are ordinary least squares on visit 4 alone, with n - 4 = 62 degrees of
freedom (the R reference gets 62.039 with apVar and 62.00005 with its own Hessian).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.trial.mmrm import fit_mmrm

REF = Path(__file__).parent / "reference"
STRUCTURES = ("unstructured", "compound_symmetry")
APVAR_RTOL = {"unstructured": 1e-3, "compound_symmetry": 4e-4}


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(REF / "mmrm_data.csv")


@pytest.fixture(scope="module", params=STRUCTURES)
def compared(request, data):
    """Return (structure, our contrasts, R's) in R's row order: each drug vs placebo per visit, then
    tofisopam - diazepam at the last visit (our fit with diazepam as the control)."""
    s = request.param
    ours = fit_mmrm(data, covariance=s)
    drugs = fit_mmrm(data, covariance=s, control="diazepam")
    assert ours.structure_used == s and drugs.structure_used == s
    last = drugs.contrasts.query("visit == 14 and arm == 'tofisopam'")
    rows = pd.concat([ours.contrasts, last], ignore_index=True)
    ref = pd.read_csv(REF / "satterthwaite.csv").query("structure == @s").reset_index(drop=True)
    return s, rows, ref


def test_rows_are_the_same_contrasts(compared):
    _, ours, ref = compared
    assert list(ours["visit"]) == list(ref["visit"])
    assert [f"{a} - {v}" for a, v in zip(ours["arm"], ours["vs"], strict=True)] == list(ref["contrast"])


def test_estimates_and_ses_match_nlme(compared):
    _, ours, ref = compared
    np.testing.assert_allclose(ours["estimate"], ref["estimate"], rtol=1e-6, atol=1e-6 * ref["se"].min())
    np.testing.assert_allclose(ours["se"], ref["se"], rtol=1e-6)


def test_df_matches_the_delta_method_with_nlme_apvar(compared):
    s, ours, ref = compared
    np.testing.assert_allclose(ours["df"], ref["df"], rtol=APVAR_RTOL[s])


def test_df_matches_the_delta_method_with_an_accurate_hessian(compared):
    _, ours, ref = compared
    np.testing.assert_allclose(ours["df"], ref["df_own_hessian"], rtol=2e-6)


def test_df_is_exact_at_the_visit_every_patient_attended(data):
    assert data.loc[data["visit"] == 4, "change"].notna().all()
    first = fit_mmrm(data).contrasts.query("visit == 4")
    np.testing.assert_allclose(first["df"], data["patient"].nunique() - 4, rtol=1e-8)
