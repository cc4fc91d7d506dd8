"""HAM-A and checklist scoring: subscale membership, proration, item validation, the checklist TOML."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.trial.checklist import PWC20, load_checklist, score_checklist
from assaykit.trial.scales import HAMA_ITEMS, score_hama


def _visit(patient="P01", visit="baseline", scores=None, **overrides):
    scores = list(range(1, 15)) if scores is None else scores
    row = {"patient": patient, "arm": "placebo", "visit": visit}
    row.update({name: s % 5 for name, s in zip(HAMA_ITEMS, scores, strict=True)})
    row.update(overrides)
    return row


def test_total_and_subscales_by_item_number() -> None:
    # Item k scored with a distinct weight so that a wrong membership changes the sums.
    items = pd.DataFrame([_visit(scores=[1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 4])])
    out = score_hama(items).iloc[0]
    assert out["hama_psychic"] == 1 + 4  # items 1-6 and 14
    assert out["hama_somatic"] == 2 + 3  # items 7-13
    assert out["hama_total"] == 10
    assert out["n_missing"] == 0 and not out["prorated"]


def test_extremes_of_the_range() -> None:
    items = pd.DataFrame([_visit(scores=[0] * 14, patient="A"), _visit(scores=[4] * 14, patient="B")])
    out = score_hama(items)
    assert out["hama_total"].tolist() == [0.0, 56.0]
    assert out["patient"].tolist() == ["A", "B"]


def test_prorated_when_at_most_max_missing_items_are_missing() -> None:
    scores = [2, 3, 1, 0, 4, 2, 1, 1, 3, 2, 0, 1, 2, 3]
    row = _visit(scores=scores)
    row["hama_03"] = np.nan  # psychic
    row["hama_09"] = ""  # somatic, blank cell as read from a CSV
    out = score_hama(pd.DataFrame([row])).iloc[0]
    kept = [s for k, s in enumerate(scores) if k not in (2, 8)]
    assert out["hama_total"] == pytest.approx(sum(kept) * 14 / 12)
    psychic = [scores[k] for k in (0, 1, 3, 4, 5, 13)]
    somatic = [scores[k] for k in (6, 7, 9, 10, 11, 12)]
    assert out["hama_psychic"] == pytest.approx(sum(psychic) * 7 / 6)
    assert out["hama_somatic"] == pytest.approx(sum(somatic) * 7 / 6)
    assert out["n_missing"] == 2 and out["prorated"]


def test_missing_when_more_items_than_allowed_are_missing() -> None:
    row = _visit()
    for name in ("hama_01", "hama_02", "hama_03"):
        row[name] = None
    out = score_hama(pd.DataFrame([row])).iloc[0]
    assert np.isnan(out["hama_total"]) and np.isnan(out["hama_psychic"])
    assert out["hama_somatic"] == sum(s % 5 for s in range(7, 14))  # its own items are complete
    assert out["n_missing"] == 3 and not out["prorated"]
    # max_missing=0: any missing item leaves the total missing
    row = _visit()
    row["hama_14"] = None
    assert np.isnan(score_hama(pd.DataFrame([row]), max_missing=0)["hama_total"].iloc[0])


def test_out_of_range_names_patient_visit_and_item() -> None:
    rows = [_visit(), _visit(patient="P07", visit="week 2", hama_05=6, hama_06=7)]
    with pytest.raises(AssayInputError) as info:
        score_hama(pd.DataFrame(rows))
    assert (
        str(info.value)
        == "patient P07, visit week 2, item hama_05: 6 is out of range 0-4 (and 1 more item problems)"
    )


def test_not_a_number_and_not_whole() -> None:
    with pytest.raises(
        AssayInputError, match=r"patient P01, visit baseline, item hama_02: 'x' is not a number"
    ):
        score_hama(pd.DataFrame([_visit(hama_02="x")]))
    with pytest.raises(AssayInputError, match=r"item hama_04: 2.5 is not a whole number"):
        score_hama(pd.DataFrame([_visit(hama_04=2.5)]))
    with pytest.raises(AssayInputError, match=r"item hama_01: -1 is out of range 0-4"):
        score_hama(pd.DataFrame([_visit(hama_01=-1)]))


def test_source_row_and_duplicates_and_absent_columns() -> None:
    with pytest.raises(AssayInputError, match=r"row 9"):
        score_hama(pd.DataFrame([_visit(hama_01=5, source_row=9)]))
    with pytest.raises(AssayInputError, match=r"patient P01, visit baseline: appears twice"):
        score_hama(pd.DataFrame([_visit(), _visit()]))
    with pytest.raises(AssayInputError, match=r"hama_14 are missing"):
        score_hama(pd.DataFrame([_visit()]).drop(columns="hama_14"))


def test_pwc20_range_is_0_to_3() -> None:
    row = {"patient": "P01", "visit": "w3", **{f"pwc_{i:02d}": 3 for i in range(1, 21)}}
    assert score_checklist(pd.DataFrame([row]), PWC20)["pwc_total"].iloc[0] == 60
    row["pwc_20"] = 4
    with pytest.raises(AssayInputError, match="item pwc_20: 4 is out of range 0-3"):
        score_checklist(pd.DataFrame([row]), PWC20)


def test_user_checklist_from_toml(tmp_path) -> None:
    path = tmp_path / "cwc.toml"
    path.write_text(
        'key = "cwc"\ntitle = "Clinic checklist"\nrange = [0, 2]\n'
        'items = ["tremor", "sweat", { name = "sleep", range = [0, 5] }]\n'
        '[subscales]\nsomatic = ["tremor", "sweat"]\n'
    )
    spec = load_checklist(path)
    assert [(i.name, i.low, i.high) for i in spec.items] == [
        ("tremor", 0, 2),
        ("sweat", 0, 2),
        ("sleep", 0, 5),
    ]
    frame = pd.DataFrame({"patient": ["A"], "visit": [1], "tremor": [2], "sweat": [1], "sleep": [5]})
    out = score_checklist(frame, spec).iloc[0]
    assert (out["cwc_total"], out["cwc_somatic"]) == (8, 3)
    frame.loc[0, "sweat"] = 3
    with pytest.raises(AssayInputError, match="patient A, visit 1, item sweat: 3 is out of range 0-2"):
        score_checklist(frame, spec)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('key = "c"\nitems = ["a"]\n', "item a: no range"),
        ('key = "c"\nrange = [3, 1]\nitems = ["a"]\n', "range must be two whole numbers"),
        ('key = "c"\nrange = [0, 3]\nitems = ["a", "a"]\n', "item a is listed twice"),
        ('key = "c"\nrange = [0, 3]\nitems = ["a"]\n[subscales]\ns = ["b"]\n', "b is not an item"),
        ('key = "c"\nrange = [0, 3]\nitems = ["a"]\ncolour = 1\n', "unknown key 'colour'"),
        ('key = "c d"\nrange = [0, 3]\nitems = ["a"]\n', "'key' must be"),
        ("key = \n", "not a TOML file"),
    ],
)
def test_bad_checklist_files(tmp_path, text, message) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(AssayInputError, match=message) as info:
        load_checklist(path)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)
