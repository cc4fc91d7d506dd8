"""Implausible saturation input, in the analysis: a data set in the wrong unit, unit options far from their
usual values.

Tubes are built here from the one-site total-binding equation (Prism's); the expected Kd is the one they
were built with, the expected messages are written out by hand.
"""

from __future__ import annotations

import pandas as pd
import pytest

from assaykit.io.saturation import saturation_from_frame
from assaykit.saturation import analyze_saturation


def saturation_tubes(dataset: str, conc_nM, *, kd=1.5, bmax=3000.0, ns=20.0) -> pd.DataFrame:  # noqa: N803
    rows = []
    for c in conc_nM:
        for kind, mean in (("total", bmax * c / (kd + c) + ns * c + 30), ("nsb", ns * c + 30)):
            rows += [{"dataset": dataset, "kind": kind, "conc_nM": c, "cpm": mean * f} for f in (0.98, 1.02)]
    return pd.DataFrame(rows)


def test_a_saturation_data_set_in_the_wrong_unit_is_not_fitted_and_the_other_is():
    conc = [0.1, 0.3, 1.0, 3.0, 10.0, 20.0]
    good = saturation_tubes("good", conc)
    molar = saturation_tubes("molar", [c * 1e-9 for c in conc])  # molar numbers in the nM column
    with pytest.warns(UserWarning) as caught:
        frame = saturation_from_frame(pd.concat([good, molar]))
        results = analyze_saturation(frame).results.set_index("dataset")
    expected = (
        "its concentrations (1e-19 M to 2e-17 M) lie outside the plausible 1 fM to 100 mM; check their unit"
    )
    assert results.at["molar", "flags"] == f"not_fitted: {expected}"
    assert f"data set 'molar' not analysed: {expected}" in [str(w.message) for w in caught]
    assert results.at["good", "kd_nM"] == pytest.approx(1.5, rel=1e-6)  # exact data, mean of 0.98 and 1.02


UNIT_OPTIONS = [
    ("protein_mg", 100.0, "--protein-mg 100 is above the usual range of mg of protein per tube (0.001 to 10)",
     "if it is in ug, give --protein-mg 0.1"),
    ("volume_ml", 250.0, "--volume-ml 250 is above the usual range of ml per tube (0.01 to 50)",
     "if it is in ul, give --volume-ml 0.25"),
    ("specific_activity_Ci_mmol", 85000.0, "--specific-activity 85000 is above the usual range of Ci/mmol "
     "(0.01 to 10000)", "if it is in mCi/mmol, give --specific-activity 85"),
    ("cells", 2.5, "--cells 2.5 is below the usual range of cells per tube (100 to 1e+09)",
     "if it is in millions, give --cells 2.5e+06"),
    ("efficiency", 0.0045, "--efficiency 0.0045 is below the usual range of cpm/dpm (0.05 to 1)", None),
]  # fmt: skip


@pytest.mark.parametrize(("option", "value", "text", "hint"), UNIT_OPTIONS)
def test_saturation_unit_options_far_from_usual_warn(option, value, text, hint):
    data = saturation_from_frame(saturation_tubes("s", [0.1, 0.3, 1.0, 3.0, 10.0, 20.0]))
    options = {"efficiency": 0.45, "specific_activity_Ci_mmol": 85.0, option: value}
    with pytest.warns(UserWarning) as caught:
        analyze_saturation(data, **options)
    assert [str(w.message) for w in caught] == [text if hint is None else f"{text}; {hint}"]
