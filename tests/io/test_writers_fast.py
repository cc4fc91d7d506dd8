"""write_table's own CSV/TSV formatter writes exactly the bytes of pandas' ``to_csv(index=False)``.

Of the table with its floats rounded to 10 significant digits: the expected bytes are pandas' of a copy
rounded here, value by value, with the standard library (:func:`rounded_by_hand`).
"""

from __future__ import annotations

import math
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assaykit.io.csv_fast import float_reprs, quoted_characters, table_plan, write_csv
from assaykit.io.writers import write_table

SEPARATORS = {".csv": ",", ".tsv": "\t", ".txt": "\t"}

# Letters that matter to the csv module, plus a little unicode; surrogates cannot be written as UTF-8.
TRICKY = ",\"\t\n\r '\\;|#x1é€😀\x00"
texts = st.text(
    alphabet=st.one_of(st.sampled_from(TRICKY), st.characters(exclude_categories=("Cs",))), max_size=8
)
labels = st.one_of(texts, st.sampled_from(["a,b", 'say "hi"', "", "tab\there", "line\nbreak"]))

SPECIAL_FLOATS = [
    0.0,
    -0.0,
    1.0,
    3.0,
    -2.0,
    1e-5,
    1e-4,
    0.1,
    1e15,
    1e16,
    1e20,
    1e-300,
    5e-324,
    1.7976931348623157e308,
    -1.7976931348623157e308,
    1.7976931345e308,
]
floats = st.one_of(
    st.floats(),
    st.sampled_from([math.nan, math.inf, -math.inf, *SPECIAL_FLOATS]),
    st.integers(-(10**6), 10**6).map(float),
    st.floats(1e-12, 1e12).map(lambda x: round(x, 3)),
)


def column(draw: st.DrawFn, kind: str, n: int) -> pd.Series:
    """Draw one column of ``n`` values of the given kind."""

    def values(strategy: st.SearchStrategy) -> list:
        return draw(st.lists(strategy, min_size=n, max_size=n))

    if kind == "float":
        return pd.Series(values(floats), dtype="float64")
    if kind == "all_nan":
        return pd.Series(np.full(n, np.nan))
    if kind == "float32":
        return pd.Series(values(st.floats(width=32)), dtype="float32")
    if kind == "int":
        return pd.Series(values(st.integers(-(2**63), 2**63 - 1)), dtype="int64")
    if kind == "uint8":
        return pd.Series(values(st.integers(0, 255)), dtype="uint8")
    if kind == "bool":
        return pd.Series(values(st.booleans()), dtype=bool)
    if kind == "Int64":
        return pd.Series(values(st.none() | st.integers(-(10**12), 10**12)), dtype="Int64")
    if kind == "boolean":
        return pd.Series(values(st.none() | st.booleans()), dtype="boolean")
    missing = st.sampled_from([None, math.nan, pd.NA])
    strings = values(texts | missing)
    if kind == "object":
        return pd.Series(np.array(strings, dtype=object), dtype=object)
    if kind == "category":
        return pd.Series(strings, dtype="category")
    return pd.Series(strings, dtype="str" if kind == "str" else "string")


KINDS = ["float", "all_nan", "float32", "int", "uint8", "bool", "Int64", "boolean", "object", "str", "string"]
KINDS.append("category")


@st.composite
def frames(draw: st.DrawFn, min_columns: int = 1) -> pd.DataFrame:
    """Draw a table of handled column types, with tricky labels (sometimes repeated)."""
    n = draw(st.integers(0, 12))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=min_columns, max_size=6))
    frame = pd.concat([column(draw, kind, n) for kind in kinds], axis=1) if kinds else pd.DataFrame()
    frame.columns = draw(st.lists(labels, min_size=len(kinds), max_size=len(kinds)))
    return frame


def by_hand(value: object) -> object:
    """Return a float rounded to 10 significant digits by the standard library; anything else as it is.

    A finite float that would round to infinity (the few next to the largest double) stays as it is.
    """
    if isinstance(value, float | np.floating):
        rounded = float(f"{value:.10g}")
        return value if math.isinf(rounded) and math.isfinite(value) else rounded
    return value


def rounded_by_hand(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` whose float64, Float64 and object-column floats are rounded by hand."""
    out = frame.copy()
    for position in range(frame.shape[1]):
        series = frame.iloc[:, position]
        if series.dtype == np.float64 or isinstance(series.dtype, pd.Float64Dtype):
            rounded = [by_hand(value) if pd.notna(value) else value for value in series.tolist()]
        elif series.dtype == object:
            rounded = [by_hand(value) for value in series.tolist()]
        else:
            continue
        out.isetitem(position, pd.Series(rounded, index=frame.index, dtype=series.dtype))
    return out


def written(frame: pd.DataFrame, suffix: str) -> tuple[bytes, bytes]:
    """Return the bytes write_table writes and the bytes pandas writes of the table rounded by hand."""
    with tempfile.TemporaryDirectory() as tmp:
        ours = write_table(frame, Path(tmp) / f"ours{suffix}")
        theirs = Path(tmp) / "theirs"
        rounded_by_hand(frame).to_csv(theirs, index=False, sep=SEPARATORS[suffix])
        return ours.read_bytes(), theirs.read_bytes()


@settings(max_examples=80, deadline=None)
@given(frame=frames(), suffix=st.sampled_from(sorted(SEPARATORS)))
def test_same_bytes_as_pandas(frame: pd.DataFrame, suffix: str) -> None:
    assert table_plan(frame) is not None  # the formatter, not pandas, wrote it
    ours, theirs = written(frame, suffix)
    assert ours == theirs


@settings(max_examples=100, deadline=None)
@given(values=st.lists(floats, min_size=1, max_size=50))
def test_float_repr_is_numpy_text(values: list[float]) -> None:
    # pandas writes float64 columns through numpy's astype(str); the formatter uses Python's repr.
    array = np.array(values, dtype=np.float64)
    assert float_reprs(array) == array.astype(str).tolist()


def test_float_spellings() -> None:
    frame = pd.DataFrame({"x": [1e-05, 1e20, math.inf, -math.inf, -0.0, 3.0, math.nan, 0.1, 1e16, 1e15]})
    ours, theirs = written(frame, ".csv")
    # A lone empty field is quoted: csv.writer would otherwise write a blank line.
    lines = ["x", "1e-05", "1e+20", "inf", "-inf", "-0.0", "3.0", '""', "0.1", "1e+16", "1000000000000000.0"]
    assert ours == theirs == (os.linesep.join(lines) + os.linesep).encode()


def test_float_noise_is_rounded_away() -> None:
    values = [1.8000000000000007, 0.1 + 0.2, 3200.0, 1e-9, 12345.678901234, 2 / 3, -1 / 7, 1.23456789012e-10]
    frame = pd.DataFrame({"x": [*values, math.nan], "n": range(9)})
    ours, theirs = written(frame, ".csv")
    lines = ["x,n", "1.8,0", "0.3,1", "3200.0,2", "1e-09,3", "12345.6789,4", "0.6666666667,5"]
    lines += ["-0.1428571429,6", "1.23456789e-10,7", ",8"]
    assert ours == theirs == (os.linesep.join(lines) + os.linesep).encode()


def test_digits_none_writes_the_doubles_unrounded() -> None:
    frame = pd.DataFrame({"x": [1.8000000000000007, 0.1 + 0.2, math.nan], "s": ["a", "b,c", None]})
    with tempfile.TemporaryDirectory() as tmp:
        write_csv(frame, Path(tmp) / "ours.csv", digits=None)
        frame.to_csv(Path(tmp) / "theirs.csv", index=False)
        ours = (Path(tmp) / "ours.csv").read_bytes()
        assert ours == (Path(tmp) / "theirs.csv").read_bytes()
    assert b"1.8000000000000007" in ours and b"0.30000000000000004" in ours


@pytest.mark.parametrize("suffix", sorted(SEPARATORS))
def test_quoting_and_single_empty_field(suffix: str) -> None:
    frame = pd.DataFrame({"a,b": ["x,y", 'say "hi"', "t\tu", "p\nq", "r\rs", None, ""], "": [None] * 7})
    ours, theirs = written(frame, suffix)
    assert ours == theirs
    one = pd.DataFrame({"": [math.nan, 1.0]})
    ours, theirs = written(one, suffix)
    assert ours == theirs == f'""{os.linesep}""{os.linesep}1.0{os.linesep}'.encode()


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame(),
        pd.DataFrame(index=range(3)),
        pd.DataFrame({"a": pd.Series([], dtype=float), "b,c": pd.Series([], dtype=str)}),
        pd.DataFrame({"a": [1.5, 2.5]}).iloc[:0],
    ],
    ids=["empty", "no_columns", "zero_rows", "zero_rows_sliced"],
)
def test_empty_tables(frame: pd.DataFrame) -> None:
    for suffix in SEPARATORS:
        ours, theirs = written(frame, suffix)
        assert ours == theirs


def test_missing_markers_in_string_columns() -> None:
    # pandas writes whatever pd.isna counts as missing as an empty field, NaT in an object column too.
    frame = pd.DataFrame(
        {"s": pd.Series(["a", None, math.nan, pd.NA, pd.NaT, np.datetime64("NaT"), "b"], dtype=object)}
    )
    frame["t"] = frame["s"].astype("str")
    assert table_plan(frame) is not None
    for suffix in SEPARATORS:
        ours, theirs = written(frame, suffix)
        assert ours == theirs


FALLBACK = {
    "datetime": pd.Series(pd.to_datetime(["2024-01-02 00:00", None, "2024-03-04 05:06"])),
    "timedelta": pd.Series(pd.to_timedelta([1, None, 3], unit="s")),
    "complex": pd.Series([1 + 2j, 3j, 0j]),
    "Float64": pd.Series([0.1, None, 3.0], dtype="Float64"),
    "object_floats": pd.Series(["a", 1.5, None], dtype=object),
    "object_ints": pd.Series([1, 2, 3], dtype=object),
    "category_floats": pd.Series([0.1, None, 1.0], dtype="category"),
    "period": pd.Series(pd.period_range("2024-01", periods=3, freq="M")),
    "interval": pd.Series(pd.IntervalIndex.from_breaks([0, 1, 2, 3])),
}


@pytest.mark.parametrize("name", sorted(FALLBACK))
def test_other_column_types_are_left_to_pandas(name: str) -> None:
    frame = pd.DataFrame({"x": [1.5, math.nan, 2.0], name: FALLBACK[name]})
    assert table_plan(frame) is None
    for suffix in SEPARATORS:
        ours, theirs = written(frame, suffix)
        assert ours == theirs


def test_tables_left_to_pandas_are_rounded_too() -> None:
    frame = pd.DataFrame(
        {
            "when": pd.to_datetime(["2024-01-02", None]),
            "x": [1.8000000000000007, math.nan],
            "f": pd.array([0.1 + 0.2, None], dtype="Float64"),
            "o": pd.Series([2 / 3, "text"], dtype=object),
        }
    )
    assert table_plan(frame) is None
    ours, theirs = written(frame, ".csv")
    lines = ["when,x,f,o", "2024-01-02,1.8,0.3,0.6666666667", ",,,text"]
    assert ours == theirs == (os.linesep.join(lines) + os.linesep).encode()


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({0: [1.5], 1: ["a"]}),
        pd.DataFrame([[1.0, 2.0]], columns=pd.MultiIndex.from_tuples([("a", "b"), ("a", "c")])),
    ],
    ids=["integer_labels", "multiindex"],
)
def test_labels_other_than_strings_are_left_to_pandas(frame: pd.DataFrame) -> None:
    assert table_plan(frame) is None
    ours, theirs = written(frame, ".csv")
    assert ours == theirs


def test_windows_line_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    # pandas ends lines with os.linesep, and the csv module then also quotes fields holding '\r'.
    monkeypatch.setattr(os, "linesep", "\r\n")
    frame = pd.DataFrame({"a": ["r\rs", "p\nq", "x"], "b": [1.0, math.nan, 2.5]})
    ours, theirs = written(frame, ".csv")
    assert ours == theirs
    assert b'"r\rs"' in ours
    assert "\r" in quoted_characters(",", "\r\n")


def test_chunks_join_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assaykit.io.csv_fast.CHUNK_CELLS", 5)
    frame = pd.DataFrame({"a": np.arange(11) / 3, "b": list("abcdefghijk"), "c": [math.nan] * 11})
    with tempfile.TemporaryDirectory() as tmp:
        write_csv(frame, Path(tmp) / "ours.csv")
        rounded_by_hand(frame).to_csv(Path(tmp) / "theirs.csv", index=False)
        assert (Path(tmp) / "ours.csv").read_bytes() == (Path(tmp) / "theirs.csv").read_bytes()


round_trip_texts = st.text(
    alphabet=st.one_of(
        st.sampled_from(',"\t\n x;é€'), st.characters(exclude_categories=("Cs", "Cc", "Zl", "Zp"))
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=30, deadline=None)
@given(
    data=st.lists(
        st.tuples(st.floats(), st.integers(-(2**62), 2**62), round_trip_texts, st.booleans()),
        min_size=1,
        max_size=10,
    ),
    suffix=st.sampled_from(sorted(SEPARATORS)),
)
def test_round_trip(data: list[tuple[float, int, str, bool]], suffix: str) -> None:
    frame = pd.DataFrame(data, columns=["x, value", "n", 'label "quoted"', "ok"])
    with tempfile.TemporaryDirectory() as tmp:
        path = write_table(frame, Path(tmp) / f"table{suffix}")
        back = pd.read_csv(
            path,
            sep=SEPARATORS[suffix],
            keep_default_na=False,
            na_values={"x, value": [""]},
            dtype={'label "quoted"': str},
        )
    pd.testing.assert_frame_equal(back, rounded_by_hand(frame), check_dtype=False, rtol=0, atol=0)
