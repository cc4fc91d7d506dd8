"""The report page from a hand-built Report: order, self-containment, escaping, and the numbers it holds.

These tests need no run and no browser: the page is read back with the standard library's HTML parser
(``_page.py``). What is expected comes from the Report built here and from the ``-o`` writer's own files.
"""

from __future__ import annotations

import base64
import io
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _page import read_page, same_numbers

from assaykit.io.outputs import OutputSet
from assaykit.io.writers import write_table
from assaykit.methods import MethodsText
from assaykit.report import (
    Flag,
    Provenance,
    Report,
    ReportFigure,
    ReportTable,
    Section,
    add_report,
    render_html,
    stage_report,
)

PARTS = ["summary", "flags", "tables", "thumbnails", "figures", "methods", "notes"]


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>'


def provenance() -> Provenance:
    return Provenance(
        "9.9", "assaykit binding 'a b.csv' --kd 1.5", "2026-01-01T00:00:00+00:00", [("a b.csv", "0" * 64)]
    )


def full_section(frame: pd.DataFrame, kind: str = "binding", name: str = "diazepam") -> Section:
    return Section(
        kind=kind,
        title=f"Section of {name}",
        summary=[f"{name}: Ki 9.2 nM."],
        flags=[Flag(f"{name} (plate 1)", "ambiguous", "The data do not define every parameter.")],
        tables=[ReportTable(f"{kind}-results", "Results", frame, caption="One row per curve.")],
        thumbnails=[
            ReportFigure(name, png_bytes(), "image/png"),
            ReportFigure("svg one", SVG, "image/svg+xml"),
        ],
        figures=[ReportFigure("Plate 1", png_bytes(8, 6), "image/png", caption="Every compound.")],
        methods=MethodsText("Curves were fitted.", ("Cheng Y, Prusoff WH (1973).",)),
        notes=["warning: something to check"],
    )


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "compound": ["diazepam", "<b>x</b>", "clonazepam"],
            "plate": [1, 1, 2],
            "ic50_nM": [0.1 + 0.2, 1.2345678901234e-29, math.nan],
            "hill_slope": [-1.0000000000000002, -0.5, math.inf],
            "n_points": [30.0, 29.0, 30.0],
            "flags": ["", "ambiguous", ""],
        }
    )


def test_sections_and_their_parts_come_in_the_order_of_the_issue(frame: pd.DataFrame) -> None:
    report = Report("Study", [full_section(frame), full_section(frame, "saturation", "sat")], provenance())
    page = read_page(render_html(report))
    assert page.sections == ["binding", "saturation"]
    for section in ("s1", "s2"):
        assert [part for where, part in page.parts if where == section] == PARTS
    assert page.parts[-1] == ("provenance", "provenance")  # the provenance block closes the page


def test_empty_parts_are_left_out_but_flags_say_none(frame: pd.DataFrame) -> None:
    page = read_page(render_html(Report("R", [Section("compare", "Bare")], provenance())))
    assert [part for where, part in page.parts if where == "s1"] == ["summary", "flags"]
    assert "No flags." in page.text


def test_the_page_requests_nothing_from_anywhere(frame: pd.DataFrame) -> None:
    html = render_html(Report("R", [full_section(frame)], provenance()))
    page = read_page(html)
    names = [tag for tag, _ in page.tags]
    assert "script" not in names and "link" not in names and "iframe" not in names and "object" not in names
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            if name == "src":
                assert value is not None and value.startswith("data:image/"), (tag, value[:40])
            if name == "href":
                assert value is not None and value.startswith("#"), (tag, value)
            assert "url(" not in (value or "")
    assert not re.search(r"https?://|(?<![:\w])//\w", html.replace("data:", "")), "a URL in the page"
    style = html[html.index("<style>") : html.index("</style>")]
    assert "@import" not in style and "url(" not in style and "@font-face" not in style
    csp = [a for tag, a in page.tags if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")


def test_figures_are_embedded_as_they_were_given(frame: pd.DataFrame) -> None:
    section = full_section(frame)
    page = read_page(render_html(Report("R", [section], provenance())))
    sources = [a["src"] for tag, a in page.tags if tag == "img"]
    figures = [*section.thumbnails, *section.figures]
    assert len(sources) == len(figures)
    for src, figure in zip(sources, figures, strict=True):
        head, data = src.split(",", 1)
        assert head == f"data:{figure.media_type};base64"
        assert base64.b64decode(data) == figure.data


def test_each_thumbnail_opens_its_larger_view_without_script(frame: pd.DataFrame) -> None:
    page = read_page(render_html(Report("R", [full_section(frame)], provenance())))
    ids = {a.get("id") for _, a in page.tags}
    thumbs = [a["id"] for tag, a in page.tags if tag == "figure" and "thumb" in (a.get("class") or "")]
    opens = [a["href"] for tag, a in page.tags if tag == "a" and a.get("class") == "open"]
    closes = [a["href"] for tag, a in page.tags if tag == "a" and a.get("class") == "close"]
    assert opens == [f"#{t}" for t in thumbs] and len(thumbs) == 2  # the :target of the overlay
    assert all(c.removeprefix("#") in ids for c in closes)


def test_every_number_keeps_the_value_the_o_table_holds(frame: pd.DataFrame, tmp_path: Path) -> None:
    page = read_page(render_html(Report("R", [full_section(frame)], provenance())))
    table = page.tables["binding-results"]
    assert table.header == list(frame.columns)
    write_table(frame, tmp_path / "results.csv")
    written = pd.read_csv(tmp_path / "results.csv")
    for column in ("plate", "ic50_nM", "hill_slope", "n_points"):
        assert same_numbers(table.values(column), written[column]), column
    assert table.values("compound") == [None, None, None]  # text cells carry no value
    assert table.values("ic50_nM")[0] == repr(0.3)  # rounded to 10 digits as written, then its repr


def test_numbers_are_shown_as_the_terminal_shows_them(frame: pd.DataFrame) -> None:
    from assaykit.formatting import sig

    table = read_page(render_html(Report("R", [full_section(frame)], provenance()))).tables["binding-results"]
    assert table.texts("ic50_nM") == [sig(0.3), sig(1.2345678901234e-29), ""]
    assert table.texts("hill_slope") == ["-1.00", "-0.50", "inf"]
    assert table.texts("n_points") == ["30", "29", "30"]


def test_text_from_the_data_is_escaped_not_markup(frame: pd.DataFrame) -> None:
    evil = "<b>x</b>"
    section = full_section(frame, name=evil)
    section.notes.append('<script>alert("x")</script>')
    report = Report(
        evil, [section], Provenance("1", f"assaykit binding '{evil}.csv'", "now", [(f"{evil}.csv", "ab")])
    )
    html = render_html(report)
    page = read_page(html)
    names = [tag for tag, _ in page.tags]
    assert "b" not in names and "script" not in names
    assert page.text.count(evil) >= 5  # title, heading, summary, flag, table cell, figure titles ...
    assert page.tables["binding-results"].texts("compound")[1] == evil
    assert any(subject.startswith(evil) for subject, _, _ in page.flags)


def test_the_provenance_block_holds_what_it_was_given(frame: pd.DataFrame) -> None:
    record = provenance()
    record.study = "[study]\nname = 'x < y'\n"
    page = read_page(render_html(Report("R", [full_section(frame)], record)))
    assert page.fields["version"] == "9.9"
    assert page.fields["command"] == record.command
    assert page.fields["created"] == record.created
    assert page.fields["study"] == record.study
    assert page.sha256 == ["0" * 64]


def test_an_unknown_figure_format_is_refused(frame: pd.DataFrame) -> None:
    section = Section("binding", "B", thumbnails=[ReportFigure("j", b"\xff\xd8", "image/jpeg")])
    with pytest.raises(ValueError, match="PNG or SVG"):
        render_html(Report("R", [section], provenance()))


def test_the_report_is_written_with_the_other_outputs_or_not_at_all(
    frame: pd.DataFrame, tmp_path: Path
) -> None:
    report = Report("R", [full_section(frame)], provenance())
    target = tmp_path / "report.html"
    with OutputSet() as outputs:
        add_report(outputs, target)
        stage_report(report, target, outputs)
        assert not target.exists()  # staged only
    assert not target.exists() and list(tmp_path.iterdir()) == []  # discarded: nothing left behind
    with OutputSet() as outputs:
        add_report(outputs, target)
        stage_report(report, target, outputs)
        outputs.commit()
    assert target.read_text(encoding="utf-8") == render_html(report)


@pytest.mark.parametrize("name", ["report.pdf", "report.csv", "report"])
def test_a_report_must_be_an_html_file(tmp_path: Path, name: str) -> None:
    from assaykit.errors import AssayInputError

    with OutputSet() as outputs, pytest.raises(AssayInputError, match="--report: unknown output format"):
        add_report(outputs, tmp_path / name)


def test_a_report_over_an_input_is_refused(tmp_path: Path) -> None:
    from assaykit.errors import AssayInputError

    data = tmp_path / "counts.html"
    data.write_text("tube,cpm\n")
    with OutputSet() as outputs:
        add_report(outputs, tmp_path / "." / "counts.html")
        with pytest.raises(AssayInputError, match="--report would overwrite an input file"):
            outputs.add_inputs([data])
    assert data.read_text() == "tube,cpm\n"


def test_floats_of_every_kind_round_trip(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    values = np.concatenate(
        [rng.lognormal(0, 8, 200) * rng.choice([-1, 1], 200), [0.0, -0.0, 5e-324, 1.7e308]]
    )
    frame = pd.DataFrame({"value": values})
    page = read_page(
        render_html(Report("R", [Section("x", "X", tables=[ReportTable("t", "T", frame)])], provenance()))
    )
    write_table(frame, tmp_path / "t.csv")
    assert same_numbers(page.tables["t"].values("value"), pd.read_csv(tmp_path / "t.csv")["value"])
