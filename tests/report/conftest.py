"""The example reports, built once per test session through the command line into a temporary folder.

Each command's report (``--report``) is built with its ``-o`` table as ``.xlsx``, so that every table of the
report has a sheet to be checked against; the whole study (``examples/study/study.toml``) is built with
``--tables`` in ``.xlsx`` too. ``test_browser.py`` opens them in Chromium; ``test_study.py`` compares the
study's sections with the separate commands'.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _reports import COMMANDS, EX, ROOT, Built, invoke


@pytest.fixture(scope="session")
def example_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """Build every example report (and the whole study) once, with its ``-o`` workbooks."""
    folder = tmp_path_factory.mktemp("reports")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(ROOT)
        return _build(folder)


def _build(folder: Path) -> dict[str, Built]:
    built: dict[str, Built] = {}
    for name, (args, grouped) in COMMANDS.items():
        report = Built(folder / f"{name}.html", folder / f"{name}.xlsx")
        outputs = ["-o", str(report.output), "--report", str(report.html), "-q"]
        if grouped:
            report.stats = folder / f"{name}_stats.xlsx"
            outputs += ["--stats", str(report.stats)]
        invoke([*args, *outputs])
        built[name] = report
    study = Built(folder / "study.html", tables=folder / "study-tables")
    invoke(
        ["report", str(EX / "study" / "study.toml"), "-o", str(study.html), "--tables", str(study.tables)]
        + ["--table-format", "xlsx", "-q"]
    )
    built["study"] = study
    return built
