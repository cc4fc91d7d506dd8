"""Floats in text outputs: rounded to 10 significant digits, as the standard library rounds them.

The reference throughout is ``float(f"{v:.10g}")``: Python's correctly rounded formatting, then its
correctly rounded parsing, one value at a time.
"""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assaykit.io.significant import round_significant, rounded_frame
from assaykit.io.writers import write_json, write_table


def by_hand(value: float, digits: int = 10) -> float:
    """The value rounded to ``digits`` significant digits by the standard library (never to infinity)."""
    rounded = float(f"{value:.{digits}g}")
    return value if math.isinf(rounded) and math.isfinite(value) else rounded


def same_doubles(a: np.ndarray, b: np.ndarray) -> bool:
    """True when two float arrays hold the same doubles bit for bit (any NaN as any NaN; -0.0 not 0.0)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    nan = np.isnan(a)
    return np.array_equal(nan, np.isnan(b)) and np.array_equal(a[~nan].view(np.int64), b[~nan].view(np.int64))


# Values whose scaled digits sit at or next to a tie (...5 in the eleventh digit), next to powers of ten,
# at the ends of the exponent range, and the plain noise of arithmetic.
ties = st.builds(
    lambda n, k, sign: sign * (n + 0.5) / 10.0**k,
    st.integers(10**9, 10**10 - 1),
    st.integers(-12, 30),
    st.sampled_from([1.0, -1.0]),
)
near_powers = st.builds(
    lambda e, toward: float(np.nextafter(10.0**e, toward)),
    st.integers(-300, 300),
    st.sampled_from([0.0, math.inf]),
)
doubles = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(allow_subnormal=True, min_value=-1e-300, max_value=1e-300),
    ties,
    near_powers,
    st.sampled_from([0.0, -0.0, 5e-324, 1.7976931348623157e308, 1e22, 1e23, 9.9999999995, 99999999995.0]),
)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(doubles, min_size=1, max_size=40), digits=st.integers(1, 15))
def test_rounding_is_the_standard_librarys(values: list[float], digits: int) -> None:
    expected = np.array([by_hand(v, digits) for v in values])
    assert same_doubles(round_significant(np.array(values), digits), expected)


def test_rounding_of_many_values_and_the_shape() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(-8.0, 0.7, 200_000) * 10.0 ** rng.integers(-12, 12, 200_000)
    values[::97] = (rng.integers(10**9, 10**10, values[::97].size) + 0.5) / 10.0**7  # ties
    expected = np.array([by_hand(v) for v in values.tolist()])
    assert same_doubles(round_significant(values), expected)
    grid = values[:12].reshape(3, 4)
    assert round_significant(grid).shape == (3, 4)
    assert same_doubles(round_significant(grid).ravel(), expected[:12])


def test_the_examples_of_the_issue() -> None:
    out = round_significant(np.array([1.8000000000000007, 0.1 + 0.2, 3200.0, 1e-9, math.nan, -0.0]))
    assert [repr(v) for v in out.tolist()] == ["1.8", "0.3", "3200.0", "1e-09", "nan", "-0.0"]


def test_the_largest_doubles_do_not_become_infinite() -> None:
    largest = np.finfo(np.float64).max  # 1.7976931348623157e308: ten digits round it up past the largest
    assert math.isinf(float(f"{largest:.10g}"))
    out = round_significant(np.array([largest, -largest, 1.797693134e308]))
    assert out.tolist() == [largest, -largest, 1.797693134e308]


def test_bad_digits_are_refused() -> None:
    for digits in (0, 16):
        with pytest.raises(ValueError, match="digits must be 1 to 15"):
            round_significant(np.array([1.0]), digits)


def test_rounded_frame_rounds_floats_only_and_keeps_the_input() -> None:
    frame = pd.DataFrame(
        {
            "x": [1.8000000000000007, math.nan],
            "f32": np.array([0.1, 2.5], dtype=np.float32),
            "n": [3, 4],
            "f": pd.array([0.1 + 0.2, None], dtype="Float64"),
            "o": pd.Series([2 / 3, "a"], dtype=object),
            "s": ["p", "q"],
        }
    )
    out = rounded_frame(frame)
    assert out.dtypes.tolist() == frame.dtypes.tolist()
    assert out["x"].tolist()[0] == 1.8 and math.isnan(out["x"].tolist()[1])
    assert out["f"].tolist() == [0.3, pd.NA]
    assert out["o"].tolist() == [by_hand(2 / 3), "a"]
    pd.testing.assert_series_equal(out["f32"], frame["f32"])  # float32: at most 9 digits already
    assert frame["x"].tolist()[0] == 1.8000000000000007  # the caller's table unchanged


# ---------------------------------------------------------------------------------------------------------
# JSON


def test_json_records_hold_rounded_floats(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "compound": ["cmpd1", 'é, "q"', None],
            "ic50_nM": [1.8000000000000007, 1.23456789012e-10, math.nan],
            "p": [0.1 + 0.2, math.inf, 12345.678901234],
            "n": [1, 2, 3],
            "ok": [True, False, True],
            "kind": pd.Categorical(["a", None, "b"]),
            "k": pd.array([1, None, 3], dtype="Int64"),
        }
    )
    path = write_table(frame, tmp_path / "r.json")
    text = path.read_text(encoding="utf-8")
    assert "1.8000000000000007" not in text and "0.30000000000000004" not in text
    expected = [
        {"compound": "cmpd1", "ic50_nM": 1.8, "p": 0.3, "n": 1, "ok": True, "kind": "a", "k": 1},
        {
            "compound": 'é, "q"',
            "ic50_nM": 1.23456789e-10,
            "p": None,
            "n": 2,
            "ok": False,
            "kind": None,
            "k": None,
        },
        {"compound": None, "ic50_nM": None, "p": 12345.6789, "n": 3, "ok": True, "kind": "b", "k": 3},
    ]
    assert json.loads(text) == expected
    # the keys in column order, and every float as the shortest text of the rounded value
    assert list(json.loads(text)[0]) == list(frame.columns)
    assert '"p": 12345.6789,' in text and '"ic50_nM": 1.23456789e-10,' in text


@settings(max_examples=60, deadline=None)
@given(values=st.lists(doubles, min_size=1, max_size=20))
def test_json_floats_read_back_as_rounded_by_hand(values: list[float]) -> None:
    frame = pd.DataFrame({"x": values})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.json"
        write_json(frame, path)
        back = [row["x"] for row in json.loads(path.read_text())]
    expected = [None if not math.isfinite(v) else by_hand(v) for v in values]
    assert back == expected
    assert [math.copysign(1, v) for v in back if v == 0] == [math.copysign(1, v) for v in expected if v == 0]


def test_json_of_other_column_types_and_empty_tables(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "when": pd.to_datetime(["2024-01-01", None]),
            "o": pd.Series([0.1 + 0.2, "x"], dtype=object),
            "f32": np.array([0.1, np.nan], dtype=np.float32),
        }
    )
    rows = json.loads(write_table(frame, tmp_path / "a.json").read_text())
    # dates as pandas writes them (epoch milliseconds), the object column's float rounded
    assert rows == [{"when": 1704067200000, "o": 0.3, "f32": 0.1}, {"when": None, "o": "x", "f32": None}]
    assert json.loads(write_table(frame.iloc[:0], tmp_path / "b.json").read_text()) == []
    assert json.loads(write_table(pd.DataFrame(index=range(2)), tmp_path / "c.json").read_text()) == [{}, {}]


def test_json_refuses_repeated_column_labels(tmp_path: Path) -> None:
    frame = pd.DataFrame([[1.0, 2.0]], columns=["a", "a"])
    with pytest.raises(ValueError, match="column labels must be unique"):
        write_json(frame, tmp_path / "r.json")
