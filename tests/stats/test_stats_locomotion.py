"""The anxiety-beside-locomotion table (assaykit.stats.locomotion) on hand-built comparison tables.

Each case is built so that its reading follows from READING_RULE by hand: control means of 20 (% open time)
and 2000 cm (distance) give margins of 4 and 400 at the default 20%.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from assaykit.stats.columns import COMPARISON_COLUMNS
from assaykit.stats.locomotion import READING_RULE, anxiety_locomotion_table, change

MEANS = {"open_time_pct": 20.0, "distance_cm": 2000.0, "total_entries": 15.0, "latency_open_s": 60.0}


def comparisons(cases: dict[str, dict[str, tuple[float, float]]]) -> pd.DataFrame:
    """A COMPARISON_COLUMNS table: per group, endpoint -> CI of the difference (the difference its middle)."""
    rows = []
    for group, endpoints in cases.items():
        for endpoint, (low, high) in endpoints.items():
            row = dict.fromkeys(COMPARISON_COLUMNS, math.nan)
            row.update(
                endpoint=endpoint, group=group, control="vehicle", mean_control=MEANS[endpoint],
                difference=(low + high) / 2, difference_ci_low=low, difference_ci_high=high,
                p_adjusted=0.01 if low > 0 or high < 0 else 0.5, note="",
            )  # fmt: skip
            rows.append(row)
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))


@pytest.mark.parametrize(
    ("low", "high", "equivalence_first", "expected"),
    [
        (1.0, 9.0, False, "up"),
        (-9.0, -1.0, False, "down"),
        (-3.0, 3.0, False, "unchanged"),
        (-3.0, 6.0, False, "unclear"),
        (0.5, 3.0, False, "up"),  # a change smaller than the margin is still a change of an anxiety endpoint
        (0.5, 3.0, True, "unchanged"),  # ... and equivalence for a locomotor endpoint
        (-5.0, -0.5, True, "down"),  # beyond the margin: a locomotor decrease
        (math.nan, 1.0, True, "not tested"),
        (-3.0, 4.0, True, "unclear"),  # the margin is open: a CI touching it is not inside
    ],
)
def test_change_reads_the_interval_against_the_margin(low, high, equivalence_first, expected) -> None:
    assert change(low, high, 4.0, equivalence_first=equivalence_first) == expected


def test_each_reading_of_the_rule() -> None:
    table = anxiety_locomotion_table(
        comparisons(
            {
                "anxiolytic": {"open_time_pct": (2.0, 10.0), "distance_cm": (-150.0, 200.0)},
                "sedative": {"open_time_pct": (1.0, 9.0), "distance_cm": (-900.0, -300.0)},
                "sedation only": {"open_time_pct": (-2.0, 3.0), "distance_cm": (-900.0, -300.0)},
                "wide": {"open_time_pct": (3.0, 12.0), "distance_cm": (-600.0, 300.0)},
                "nothing": {"open_time_pct": (-3.0, 3.5), "distance_cm": (-350.0, 390.0)},
                "stimulant": {"open_time_pct": (-8.0, 8.0), "distance_cm": (300.0, 900.0)},
            }
        )
    )
    reading = dict(zip(table["group"], table["reading"], strict=True))
    assert reading["anxiolytic"] == (
        "open_time_pct up, locomotion unchanged (distance_cm CI within +/-20% of the control mean)"
    )
    assert (
        reading["sedative"]
        == "open_time_pct up with locomotion down (distance_cm): possible sedation confound"
    )
    assert reading["sedation only"] == "locomotion down (distance_cm), no anxiety change: sedation"
    assert reading["wide"].startswith("open_time_pct up; locomotion unclear (distance_cm): CI too wide")
    assert reading["nothing"] == "no change in anxiety or locomotion (CIs within +/-20% of the control mean)"
    assert reading["stimulant"] == "locomotion up (distance_cm), no clear anxiety change: stimulation"
    assert table.attrs["rule"] == READING_RULE


def test_the_columns_sit_side_by_side_anxiety_first() -> None:
    table = anxiety_locomotion_table(
        comparisons(
            {
                "drug": {
                    "distance_cm": (-100.0, 100.0),
                    "open_time_pct": (1.0, 5.0),
                    "latency_open_s": (-30.0, -5.0),
                }
            }
        )
    )
    per = ["difference", "ci_low", "ci_high", "p_adjusted", "margin", "change"]
    expected = ["group", "control"]
    for endpoint in ("open_time_pct", "latency_open_s", "distance_cm"):
        expected += [f"{endpoint}_{p}" for p in per]
    assert list(table.columns) == [*expected, "anxiety", "locomotion", "reading"]
    row = table.iloc[0]
    assert row["distance_cm_margin"] == pytest.approx(400.0) and row["open_time_pct_margin"] == pytest.approx(
        4.0
    )
    assert row["anxiety"] == "open_time_pct up, latency_open_s down"  # the endpoints' own directions
    assert row["open_time_pct_difference"] == 3.0 and row["open_time_pct_p_adjusted"] == 0.01


def test_several_locomotor_endpoints_combine() -> None:
    table = anxiety_locomotion_table(
        comparisons(
            {
                "one down": {"open_time_pct": (1.0, 5.0), "distance_cm": (-100.0, 100.0),
                             "total_entries": (-8.0, -4.0)},
                "opposite": {"open_time_pct": (1.0, 5.0), "distance_cm": (500.0, 900.0),
                             "total_entries": (-8.0, -4.0)},
            }
        )
    )  # fmt: skip
    assert table["locomotion"].tolist() == ["down", "mixed"]
    assert "possible sedation confound" in table["reading"][0] and "(total_entries)" in table["reading"][0]
    assert "opposite directions" in table["reading"][1]


def test_a_missing_locomotor_endpoint_and_a_narrower_margin() -> None:
    cases = {"drug": {"open_time_pct": (1.0, 5.0), "distance_cm": (-300.0, 300.0)}}
    only_anxiety = anxiety_locomotion_table(comparisons(cases), locomotor=("transitions",))
    assert only_anxiety["reading"][0] == "open_time_pct up; locomotion not measured"
    narrow = anxiety_locomotion_table(comparisons(cases), margin=0.1)  # +/-200 cm: (-300, 300) is too wide
    assert narrow["locomotion"][0] == "unclear" and "+/-10%" in narrow["reading"][0]


def test_bad_input_is_named() -> None:
    with pytest.raises(ValueError, match="no column mean_control"):
        anxiety_locomotion_table(pd.DataFrame({"endpoint": [], "group": [], "control": []}).assign(
            difference=[], difference_ci_low=[], difference_ci_high=[], p_adjusted=[]))  # fmt: skip
    with pytest.raises(ValueError, match="margin"):
        anxiety_locomotion_table(comparisons({"d": {"open_time_pct": (1.0, 2.0)}}), margin=0)
