"""The trial's report section, rendered and read back: its tables hold the run's numbers; its figures."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from _page import as_floats, read_page

from assaykit.report.document import Provenance, Report
from assaykit.report.render import render_html

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "trial"))
from _trial_run import build_run  # noqa: E402


@pytest.fixture(scope="module")
def built():  # noqa: ANN201 - a run and its section
    from assaykit.report.sections import trial_section

    run = build_run(margin=3.0)
    return run, trial_section(run)


def test_the_tables_hold_the_runs_numbers(built) -> None:  # noqa: ANN001
    run, section = built
    report = Report("Trial", [section], Provenance("1", "assaykit trial visits.csv", "now", []))
    page = read_page(render_html(report))
    assert page.sections == ["trial"]
    expected = {
        "trial-mmrm": (run.mmrm.contrasts, "estimate"),
        "trial-ancova": (run.ancova.contrasts, "p_value"),
        "trial-responders": (run.responders, "rate_high"),
        "trial-remission": (run.remission, "events"),
        "trial-withdrawal": (run.withdrawal.incidence, "rate"),
        "trial-hierarchy": (run.hierarchy, "p_adjusted"),
        "trial-consort": (run.consort, "n"),
    }
    for key, (frame, column) in expected.items():
        assert key in page.tables, key
        shown = np.array(as_floats(page.tables[key].values(column)))
        ours = frame[column].astype(float).to_numpy()
        # the page keeps 10 significant digits (data-value)
        assert np.allclose(shown, ours, rtol=1e-9, atol=0, equal_nan=True), key
    assert page.tables["trial-mmrm"].texts("arm") == list(run.mmrm.contrasts["arm"])


def test_the_summary_gives_the_primary_result_of_each_drug(built) -> None:  # noqa: ANN001
    run, section = built
    text = "\n".join(section.summary)
    for _, row in run.mmrm.primary.iterrows():
        line = next(
            s for s in section.summary if s.startswith(f"HAM-A change from baseline at week 2, {row['arm']}")
        )
        assert "95% CI" in line and "p " in line
    assert "diazepam minus tofisopam" in text  # drug against drug
    assert "Responders: placebo" in text and "Remission: placebo" in text
    assert "Withdrawal syndrome (rise >= 3 points)" in text
    assert "non-inferiority not shown at margin 3" in text or "non-inferior at margin 3" in text


def test_group_figures_no_thumbnails_no_flags(built) -> None:  # noqa: ANN001
    _, section = built
    assert section.thumbnails == [] and section.flags == []
    assert [f.title for f in section.figures] == ["change_from_baseline", "responders", "withdrawal"]
    assert all(f.data[:4] == b"\x89PNG" or b"<svg" in f.data[:400] for f in section.figures)
    assert section.methods is not None and "MMRM" in section.methods.paragraph
    assert any("no LOCF" in n for n in section.notes)  # the MMRM's note


def test_without_washout_there_is_no_withdrawal_table_nor_figure() -> None:
    from assaykit.report.sections import trial_section

    section = trial_section(build_run(with_withdrawal=False))
    keys = [t.key for t in section.tables]
    assert "trial-withdrawal" not in keys and "trial-consort" in keys
    assert [f.title for f in section.figures] == ["change_from_baseline", "responders"]
    assert not any("ithdrawal" in line for line in section.summary)
