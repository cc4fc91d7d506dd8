"""The one-line message of AssayInputError: where, then what."""

from assaykit.errors import AssayInputError


def test_location_stands_where_a_row_would() -> None:
    error = AssayInputError(
        "'x' is not a count", path="plates.csv", location="plate 2, well C07", column="cpm"
    )
    assert str(error) == "plates.csv, plate 2, well C07, column 'cpm': 'x' is not a count"


def test_with_path_keeps_the_location() -> None:
    error = AssayInputError("missing", location="plate 1, well A01").with_path("a.xlsx")
    assert str(error) == "a.xlsx, plate 1, well A01: missing"
    assert error.location == "plate 1, well A01"
