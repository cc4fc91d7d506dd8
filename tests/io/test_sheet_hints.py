"""An error about a whole table read from a workbook's first sheet names the workbook's other sheets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from assaykit.errors import AssayInputError
from assaykit.io.input_files import naming_other_sheets
from assaykit.io.trial import read_trial
from assaykit.io.xlsx_write import write_xlsx


@pytest.fixture
def book(tmp_path: Path) -> Path:
    path = tmp_path / "book.xlsx"
    write_xlsx({"Notes": pd.DataFrame({"a": [1]}), "Data": pd.DataFrame({"b": [2]})}, path)
    return path


def test_a_whole_table_error_gets_the_other_sheets(book: Path) -> None:
    with pytest.raises(AssayInputError) as caught, naming_other_sheets(book, None, "--patients-sheet"):
        raise AssayInputError("no patient column", path=book)
    assert str(caught.value) == (
        f"{book}: no patient column; that is the first sheet, 'Notes'; the workbook also has 'Data': "
        "choose one with --patients-sheet"
    )


@pytest.mark.parametrize(
    ("sheet", "kwargs"),
    [("Notes", {}), (None, {"row": 3}), (None, {"column": "cpm"}), (None, {"location": "plate 1, well A01"})],
)
def test_a_chosen_sheet_or_an_error_about_the_data_passes_unchanged(
    book: Path, sheet: str | None, kwargs: dict
) -> None:
    error = AssayInputError("bad", path=book, **kwargs)
    with pytest.raises(AssayInputError) as caught, naming_other_sheets(book, sheet):
        raise error
    assert caught.value is error


def test_a_text_file_gets_no_hint(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("a\n1\n", encoding="utf-8")
    error = AssayInputError("no patient column", path=path)
    with pytest.raises(AssayInputError) as caught, naming_other_sheets(path, None):
        raise error
    assert caught.value is error


def test_the_trial_patients_hint_names_its_own_option(tmp_path: Path) -> None:
    visits = tmp_path / "v.csv"
    visits.write_text("patient,arm,visit,hama_total\nP1,placebo,baseline,30\n", encoding="utf-8")
    patients = tmp_path / "p.xlsx"
    flow = pd.DataFrame({"patient": ["P1"], "arm": ["placebo"], "randomised": ["yes"], "treated": ["yes"]})
    write_xlsx({"Notes": pd.DataFrame({"a": [1]}), "flow": flow.assign(completed="yes")}, patients)
    with pytest.raises(AssayInputError, match="also has 'flow': choose one with --patients-sheet$"):
        read_trial(visits, patients)
