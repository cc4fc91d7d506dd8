"""The design file: reading it in every format, joining it to the endpoints, and its errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.stats.design import apply_design, check_control, design_from_table, dose_unit, read_design

DESIGN = """animal,group,dose_mg_kg,sex,cohort,excluded,reason
m1,vehicle,0,M,1,,
m2,vehicle,0,F,1,no,
m3,drug,3,M,2,yes,fell off the maze
m4,drug,3,F,2,0,
m5,drug,3,M,2,,
"""


def endpoints(animals: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"animal": animals, "open_time_pct": np.arange(len(animals), dtype=float)})
    frame.attrs["source"] = "endpoints.csv"
    return frame


def write(tmp_path: Path, text: str, name: str = "design.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".xlsx"])
def test_read_design_in_every_format(tmp_path: Path, suffix: str) -> None:
    frame = pd.read_csv(write(tmp_path, DESIGN), dtype=str, keep_default_na=False)
    path = tmp_path / f"d{suffix}"
    if suffix == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        path = write(tmp_path, DESIGN, "d.csv")
    design = read_design(path)
    assert list(design["animal"]) == ["m1", "m2", "m3", "m4", "m5"]
    assert list(design["excluded"]) == [False, False, True, False, False]
    assert design.loc[2, "reason"] == "fell off the maze"
    assert design.attrs["dose_column"] == "dose_mg_kg"
    np.testing.assert_array_equal(design["dose_mg_kg"], [0, 0, 3, 3, 3])
    assert list(design["sex"]) == ["M", "F", "M", "F", "M"]


def test_apply_design_assigns_groups_and_lists_exclusions() -> None:
    design = design_from_table(pd.read_csv(pd.io.common.StringIO(DESIGN), dtype=str, keep_default_na=False))
    data, exclusions = apply_design(endpoints(["m5", "m4", "m3", "m2", "m1"]), design, "vehicle")
    # design order of groups, then the endpoint table's order; the excluded m3 is gone
    assert list(data["animal"]) == ["m2", "m1", "m5", "m4"]
    assert list(data["group"]) == ["vehicle", "vehicle", "drug", "drug"]
    assert list(data.columns[:3]) == ["animal", "group", "dose_mg_kg"]
    assert exclusions.to_dict("records") == [
        {
            "animal": "m3",
            "group": "drug",
            "excluded_by": "design",
            "endpoints": "all",
            "reason": "fell off the maze",
        }
    ]


def test_an_excluded_animal_need_not_be_in_the_endpoints() -> None:
    design = design_from_table(pd.read_csv(pd.io.common.StringIO(DESIGN), dtype=str, keep_default_na=False))
    data, exclusions = apply_design(endpoints(["m1", "m2", "m4", "m5"]), design, "vehicle")
    assert len(data) == 4 and list(exclusions["animal"]) == ["m3"]


def test_excluded_without_reason_is_allowed_and_kept_blank(tmp_path: Path) -> None:
    design = read_design(write(tmp_path, "animal,group,excluded\na,veh,\nb,veh,yes\nc,drug,\nd,drug,\n"))
    _, exclusions = apply_design(endpoints(["a", "c", "d"]), design, "veh")
    assert exclusions["reason"].tolist() == [""]


def test_reason_without_excluded_column_excludes(tmp_path: Path) -> None:
    design = read_design(write(tmp_path, "animal,group,exclusion_reason\na,veh,\nb,veh,escaped\n"))
    assert design["excluded"].tolist() == [False, True]


def error(exc: pytest.ExceptionInfo[AssayInputError]) -> str:
    message = str(exc.value)
    assert "\n" not in message
    return message


def test_animals_missing_from_the_design_are_listed() -> None:
    design = design_from_table(pd.DataFrame({"animal": ["m1", "m2"], "group": ["veh", "drug"]}))
    with pytest.raises(AssayInputError) as exc:
        apply_design(endpoints(["m1", "m2", "m7", "m9"]), design, "veh")
    assert "2 animal(s) of the endpoints are not in the design: 'm7', 'm9'" in error(exc)


def test_animals_missing_from_the_data_are_listed() -> None:
    design = design_from_table(pd.DataFrame({"animal": ["m1", "m2", "m3"], "group": ["veh", "drug", "drug"]}))
    with pytest.raises(AssayInputError) as exc:
        apply_design(endpoints(["m1"]), design, "veh")
    message = error(exc)
    assert "have no row in the endpoints: 'm2', 'm3'" in message and "excluded" in message


def test_unknown_control_lists_the_groups_and_suggests() -> None:
    design = design_from_table(pd.DataFrame({"animal": ["m1", "m2"], "group": ["vehicle", "diazepam"]}))
    with pytest.raises(AssayInputError) as exc:
        check_control(design, "vehicel")
    message = error(exc)
    assert "no group named 'vehicel'" in message and "'vehicle', 'diazepam'" in message
    assert "did you mean 'vehicle'" in message


def test_control_whose_animals_are_all_excluded() -> None:
    table = pd.DataFrame({"animal": ["a", "b"], "group": ["veh", "drug"], "reason": ["sick", ""]})
    with pytest.raises(AssayInputError, match="every animal of the control group 'veh' is excluded"):
        check_control(design_from_table(table), "veh")


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("animal,group\nm1,veh\nm1,drug\n", ["'m1' is listed twice", "row 3", "row 2"]),
        ("animal,group\nm1,\n", ["'m1' has no group", "row 2"]),
        ("animal,group\n,veh\n", ["empty animal id", "row 2"]),
        ("animal,group,excluded\nm1,veh,maybe\n", ["'maybe' is not a yes/no value", "column 'excluded'"]),
        ("animal,group,dose\nm1,veh,0\n", ["unit in the name", "dose_mg_kg"]),
        ("animal,group,dose_mg_kg\nm1,veh,abc\n", ["'abc' is not a dose", "row 2"]),
        ("animal,group,dose_mg_kg\nm1,veh,-1\n", ["'-1' is not a dose"]),
        (
            "animal,group,dose_mg_kg\nm1,drug,1\nm2,drug,3\n",
            ["group 'drug' has more than one dose_mg_kg (1, 3)"],
        ),
        (
            "animal,group,excluded,reason\nm1,veh,no,sick\n",
            ["a reason ('sick') is given but the animal is not excluded"],
        ),
        ("animal,treatment\nm1,veh\n", ["no group column", "'group'"]),
        ("mouse,group\nm1,veh\n", ["no animal column"]),
    ],
    ids=[
        "duplicate",
        "no-group",
        "no-animal-id",
        "bad-excluded",
        "dose-without-unit",
        "dose-not-number",
        "negative-dose",
        "two-doses-in-group",
        "reason-not-excluded",
        "no-group-column",
        "no-animal-column",
    ],
)
def test_bad_designs_are_one_clear_line(tmp_path: Path, text: str, fragments: list[str]) -> None:
    with pytest.raises(AssayInputError) as exc:
        read_design(write(tmp_path, text))
    message = error(exc)
    assert "design.csv" in message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_group_column_of_the_endpoints_must_agree() -> None:
    design = design_from_table(pd.DataFrame({"animal": ["m1", "m2"], "group": ["veh", "drug"]}))
    table = endpoints(["m1", "m2"]).assign(group=["veh", "placebo"])
    with pytest.raises(AssayInputError, match=r"disagrees with the design for 'm2 \(placebo vs drug\)'"):
        apply_design(table, design, "veh")


def test_duplicated_animals_in_the_endpoints() -> None:
    design = design_from_table(pd.DataFrame({"animal": ["m1", "m2"], "group": ["veh", "drug"]}))
    with pytest.raises(AssayInputError, match="more than one row in the endpoints: 'm1'"):
        apply_design(endpoints(["m1", "m1", "m2"]), design, "veh")


def test_dose_unit() -> None:
    assert dose_unit("dose_mg_kg") == "mg/kg" and dose_unit(None) == ""
