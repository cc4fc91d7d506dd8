"""Block-by-block versions of pandas' factorize/unique and of the counts checks give pandas' answers.

The million-curve reader numbers the values of huge columns block by block (``assaykit.distinct``), and
judges the thousands-separator and concentration-range rules block by block; each must give exactly what
the whole-column computation gives. The references are ``pandas.factorize``/``pandas.unique`` themselves
and the rules applied to the whole column with numpy, typed here.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from assaykit.distinct import distinct_values, group_codes
from assaykit.io.number_cells import thousands_position


def strings(seed: int, n: int, distinct: int, missing: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pool = np.array([f"plate-{i}" for i in rng.permutation(distinct)], dtype=object)
    values = pool[rng.integers(0, distinct, n)]
    values[rng.random(n) < missing] = None
    return values


@pytest.mark.parametrize("rows", [1, 7, 64, 10_000])
@pytest.mark.parametrize("missing", [0.0, 0.05])
def test_group_codes_are_pandas_factorize(rows, missing):
    values = strings(1, 5_000, 300, missing)
    want_codes, want_uniques = pd.factorize(values)
    codes, uniques = group_codes(values, rows)
    np.testing.assert_array_equal(codes, want_codes)
    assert uniques.dtype == object and list(uniques) == list(want_uniques)


def test_group_codes_of_integers_keep_their_dtype():
    values = np.random.default_rng(2).integers(0, 10**10, 3_000)[
        np.random.default_rng(3).integers(0, 3_000, 9_000)
    ]
    codes, uniques = group_codes(values, 100)
    want_codes, want_uniques = pd.factorize(values)
    np.testing.assert_array_equal(codes, want_codes)
    np.testing.assert_array_equal(uniques, want_uniques)
    assert uniques.dtype == np.int64


@pytest.mark.parametrize("rows", [1, 13, 100_000])
def test_distinct_values_are_pandas_unique(rows):
    values = strings(4, 4_000, 150, 0.02)
    values[[5, 77]] = math.nan  # NaN and None: pandas keeps each kind of missing value once
    assert [str(v) for v in distinct_values(values, rows)] == [str(v) for v in pd.unique(values)]
    floats = np.random.default_rng(5).choice([0.01, 0.1, 1.0, np.nan, 10.0], 2_000)
    np.testing.assert_array_equal(distinct_values(floats, rows), pd.unique(floats))


def whole_column_rule(values: np.ndarray) -> int | None:
    """The thousands rule on the whole column at once, as documented in number_cells.thousands_position."""
    finite = np.isfinite(values)
    v = values[finite]
    whole = v == np.round(v)
    three = ~whole & (v >= 1) & (v < 1000) & (np.abs(v * 1000 - np.round(v * 1000)) < 1e-6 * v * 1000)
    if three.any() and whole.any() and (whole | three).all() and (v[whole] < 1000).all():
        return int(np.flatnonzero(finite)[np.argmax(three)])
    return None


@pytest.mark.parametrize(
    "where_three, where_whole", [(3_000_000, 10), (10, 3_000_000), (2_500_000, 2_600_000), (None, 5)]
)
def test_thousands_rule_in_blocks_is_the_whole_column_rule(where_three, where_whole):
    values = np.full(3_200_000, 250.0)  # whole counts below 1000 in every block
    values[::7] = np.nan
    values[: where_whole or 0] = np.nan  # the first whole value (where_whole) comes late, or early
    values[where_whole] = 312.0
    if where_three is not None:
        values[where_three] = 3.185  # a count written 3.185: found in whatever block it lies
    assert thousands_position(values) == whole_column_rule(values)
    if where_three is not None:
        assert thousands_position(values) == where_three
    values[-1] = 1250.0  # a whole value above 1000 in the last block: the column is not such counts
    assert thousands_position(values) is None and whole_column_rule(values) is None


@pytest.mark.parametrize("missing", [0.0, 0.1])
@pytest.mark.parametrize("rows", [5, 10_000])
def test_categorical_columns_number_as_their_texts_do(missing: float, rows: int) -> None:
    from assaykit.distinct import column_codes, column_isin, column_values

    values = strings(3, 2_000, 40, missing)
    sorted_categories = sorted({v for v in values if v is not None})
    column = pd.Series(pd.Categorical(values, categories=sorted_categories))  # codes not in appearance order
    codes, uniques = pd.factorize(values)  # the reference: pandas on the strings themselves
    got_codes, got_uniques = column_codes(column)
    assert got_codes.tolist() == codes.tolist() and got_uniques.tolist() == list(uniques)
    got_codes, got_uniques = column_codes(column.array)  # a bare categorical, as the curves pass it
    assert got_codes.tolist() == codes.tolist()
    expected = pd.unique(values)
    found = column_values(column)
    assert [None if isinstance(v, float) else v for v in found] == [
        None if v is None else v for v in expected
    ]
    wanted = [sorted_categories[3], sorted_categories[7], "absent"]
    assert column_isin(column, wanted).tolist() == [v in wanted for v in values]
    assert column_isin(pd.Series(values, dtype=object), wanted).tolist() == [v in wanted for v in values]
