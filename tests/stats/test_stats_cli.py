"""`assaykit compare` and `epm/ldb --design` end to end: outputs in every format, plots, one-line errors."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from assaykit.cli import main
from assaykit.stats.compare import COMPARISON_COLUMNS, EPM_ENDPOINTS

ROOT = Path(__file__).resolve().parents[2]
DESIGN_DIR = ROOT / "examples" / "design"
STUDY = DESIGN_DIR / "epm_endpoints.csv"
STUDY_DESIGN = DESIGN_DIR / "study_design.csv"
MICE_DESIGN = DESIGN_DIR / "design.csv"
EPM_TRACKS = ROOT / "examples" / "epm" / "tracks.csv"
LDB_TRACKS = ROOT / "examples" / "ldb" / "tracks.csv"
ONE = ["--endpoint", "open_time_pct"]  # one endpoint keeps the format tests quick


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def assert_user_error(result: object, *fragments: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.output)
    message = result.stderr.strip()
    assert message.startswith("Error: ") and "\n" not in message, message
    for fragment in fragments:
        assert fragment in message, (fragment, message)


def test_compare_the_example_study(tmp_path: Path) -> None:
    out, summary, plots = tmp_path / "stats.xlsx", tmp_path / "summary.csv", tmp_path / "plots"
    result = run(
        "compare",
        STUDY,
        "--design",
        STUDY_DESIGN,
        "--control",
        "vehicle",
        "-o",
        out,
        "--summary",
        summary,
        "--plot",
        plots,
    )
    assert result.exit_code == 0, result.output
    assert "diazepam 1.5 mg/kg" in result.stdout and "Dunnett" in result.stdout
    assert "trend: endpoint" in result.stdout and "AK-101" in result.stdout
    # the exclusions are never silent: the design's and the unusable track's
    assert "m14 (AK-101 10 mg/kg) excluded by the design: fell off an open arm" in result.stderr
    assert "m24 (vehicle) has no value for any endpoint: unusable" in result.stderr
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == [
        "comparisons",
        "summary",
        "assumptions",
        "trend",
        "models",
        "anova",
        "latency",
        "anxiety_locomotion",
        "exclusions",
        "notes",
    ]
    comparisons = sheets["comparisons"]
    assert len(comparisons) == len(EPM_ENDPOINTS) * 4
    assert list(comparisons.columns) == [*COMPARISON_COLUMNS[:3], "dose_mg_kg", *COMPARISON_COLUMNS[3:]]
    assert set(sheets["exclusions"]["animal"]) == {"m14", "m24"}
    table = pd.read_csv(summary)
    vehicle = table[(table["endpoint"] == "open_time_pct") & (table["group"] == "vehicle")].iloc[0]
    assert vehicle["n"] == 9 and vehicle["n_missing"] == 1
    # the summary is the data's: check one mean by hand
    endpoints, design = pd.read_csv(STUDY), pd.read_csv(STUDY_DESIGN, keep_default_na=False)
    chosen = design.loc[(design["group"] == "vehicle") & (design["excluded"] != "yes"), "animal"]
    assert vehicle["mean"] == pytest.approx(endpoints.set_index("animal").loc[chosen, "open_time_pct"].mean())
    pngs = sorted(p.name for p in plots.glob("*.png"))
    # per endpoint a dot plot and an estimation plot; the censored latency also its Kaplan-Meier curves
    expected = [f"{kind}_{e}.png" for e in EPM_ENDPOINTS for kind in ("groups", "estimation")]
    assert pngs == sorted([*expected, "latency_latency_open_s.png"])


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".json", ".xlsx"])
def test_compare_outputs_in_every_format(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"stats{suffix}"
    result = run("compare", STUDY, "--design", STUDY_DESIGN, "--control", "vehicle", *ONE, "-o", out, "-q")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    if suffix == ".csv":
        table = pd.read_csv(out)
    elif suffix == ".tsv":
        table = pd.read_csv(out, sep="\t")
    elif suffix == ".json":
        table = pd.DataFrame(json.loads(out.read_text()))
    else:
        table = pd.read_excel(out, sheet_name="comparisons")
    assert len(table) == 4 and set(table["endpoint"]) == {"open_time_pct"}
    assert {"p_adjusted", "hedges_g", "alternative_p_adjusted", "test_choice"} <= set(table.columns)
    assert table["p_adjusted"].between(0, 1).all()


@pytest.mark.parametrize("suffix", [".tsv", ".xlsx", ".json"])
def test_compare_reads_endpoint_tables_in_every_format(tmp_path: Path, suffix: str) -> None:
    frame = pd.read_csv(STUDY)
    path = tmp_path / f"endpoints{suffix}"
    if suffix == ".tsv":
        frame.to_csv(path, sep="\t", index=False)
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    else:
        path.write_text(frame.to_json(orient="records"))
    reference, other = tmp_path / "a.csv", tmp_path / "b.csv"
    assert (
        run(
            "compare", STUDY, "--design", STUDY_DESIGN, "--control", "vehicle", *ONE, "-o", reference
        ).exit_code
        == 0
    )
    result = run("compare", path, "--design", STUDY_DESIGN, "--control", "vehicle", *ONE, "-o", other)
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_csv(reference), pd.read_csv(other))


def test_compare_with_the_group_column_of_the_endpoints(tmp_path: Path) -> None:
    design = pd.read_csv(STUDY_DESIGN, keep_default_na=False)
    merged = pd.read_csv(STUDY).merge(design[["animal", "group"]], on="animal")
    merged = merged[design.set_index("animal").loc[merged["animal"], "excluded"].to_numpy() != "yes"]
    path = tmp_path / "with_groups.csv"
    merged.rename(columns={"group": "treatment"}).to_csv(path, index=False)
    out = tmp_path / "out.csv"
    result = run("compare", path, "--control", "vehicle", "--group-column", "treatment", *ONE, "-o", out)
    assert result.exit_code == 0, result.output
    assert set(pd.read_csv(out)["group"]) == {
        "AK-101 1 mg/kg",
        "AK-101 3 mg/kg",
        "AK-101 10 mg/kg",
        "diazepam 1.5 mg/kg",
    }
    assert_user_error(run("compare", path, "--control", "vehicle"), "no 'group' column", "--design")


def test_a_group_with_one_animal_is_reported_not_tested(tmp_path: Path) -> None:
    design = pd.read_csv(STUDY_DESIGN, keep_default_na=False)
    design.loc[design["animal"] == "m01", "group"] = "lonely"
    design.loc[design["animal"] == "m01", "compound"] = "other"
    path = tmp_path / "design.csv"
    design.to_csv(path, index=False)
    out = tmp_path / "out.csv"
    result = run("compare", STUDY, "--design", path, "--control", "vehicle", *ONE, "-o", out)
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, keep_default_na=False, na_values=[""]).set_index("group")
    assert table.loc["lonely", "note"] == "1 value(s) in this group: not tested"
    assert table.drop(index="lonely")["p_adjusted"].notna().all()
    assert "not tested" in result.stdout


@pytest.mark.parametrize(
    ("edit", "options", "fragments"),
    [
        (
            lambda d: d[d["animal"] != "m05"],
            [],
            ["1 animal(s) of the endpoints are not in the design: 'm05'"],
        ),
        (
            lambda d: pd.concat(
                [d, pd.DataFrame({"animal": ["m98", "m99"], "group": "vehicle", "dose_mg_kg": 0.0})]
            ),
            [],
            ["2 animal(s) of the design have no row in the endpoints: 'm98', 'm99'"],
        ),
        (lambda d: d, ["--control", "vehicel"], ["no group named 'vehicel'", "did you mean 'vehicle'"]),
        (lambda d: d, ["--endpoint", "open_time"], ["no endpoint column 'open_time'"]),
    ],
    ids=["animal-missing-from-design", "animals-missing-from-data", "unknown-control", "unknown-endpoint"],
)
def test_bad_designs_are_one_clear_line(
    tmp_path: Path, edit: object, options: list[str], fragments: list[str]
) -> None:
    design = edit(pd.read_csv(STUDY_DESIGN, keep_default_na=False))
    path = tmp_path / "design.csv"
    design.to_csv(path, index=False)
    control = [] if "--control" in options else ["--control", "vehicle"]
    assert_user_error(run("compare", STUDY, "--design", path, *control, *options), *fragments)


def test_epm_with_design_compares_after_the_endpoints(tmp_path: Path) -> None:
    stats, plots, endpoints = tmp_path / "stats.csv", tmp_path / "plots", tmp_path / "endpoints.json"
    result = run(
        "epm",
        EPM_TRACKS,
        "--design",
        MICE_DESIGN,
        "--control",
        "vehicle",
        "--stats",
        stats,
        "--plot",
        plots,
        "-o",
        endpoints,
    )
    assert result.exit_code == 0, result.output
    assert "veh-01" in result.stdout and "vehicle (control)" in result.stdout and "Welch t" in result.stdout
    table = pd.read_csv(stats)
    assert list(table["endpoint"]) == list(EPM_ENDPOINTS) and (table["group"] == "diazepam").all()
    latency = table["endpoint"] == "latency_open_s"  # censored at the session length: log-rank
    assert (table["n_group"] == 2).all() and (table.loc[~latency, "test"] == "welch_t").all()
    assert (table.loc[latency, "test"] == "logrank").all()
    assert (table.loc[~latency, "test_choice"] == "parametric (pre-specified)").all()
    names = {p.name for p in plots.glob("*.png")}
    assert {"veh-01.png", "dzp-02.png", "groups_open_time_pct.png"} <= names
    # the numbers are the compare command's on the endpoints the epm command writes
    again = tmp_path / "again.csv"
    assert (
        run("compare", endpoints, "--design", MICE_DESIGN, "--control", "vehicle", "-o", again).exit_code == 0
    )
    pd.testing.assert_frame_equal(table, pd.read_csv(again))


def test_ldb_with_design(tmp_path: Path) -> None:
    stats = tmp_path / "stats.xlsx"
    result = run(
        "ldb",
        LDB_TRACKS,
        "--design",
        MICE_DESIGN,
        "--control",
        "vehicle",
        "--test",
        "nonparametric",
        "--stats",
        stats,
    )
    assert result.exit_code == 0, result.output
    table = pd.read_excel(stats, sheet_name="comparisons")
    assert list(table["endpoint"]) == [
        "light_time_s",
        "light_time_pct",
        "latency_light_s",
        "transitions",
        "distance_cm",
    ]
    latency = table["endpoint"] == "latency_light_s"  # censored at the session length: log-rank
    assert (table.loc[~latency, "test"] == "mann_whitney_u").all()
    assert (table.loc[latency, "test"] == "logrank").all()
    assert (table.loc[latency, "alternative_test"] == "mann_whitney_u").all()
    table = table[~latency]
    # 2 vs 2 animals: the exact Mann-Whitney p cannot go below 2 / C(4, 2) = 1/3
    assert (table["p_adjusted"] >= 1 / 3 - 1e-12).all()


@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--control", "vehicle"], "--control need(s) --design"),
        (["--stats", "s.csv"], "--stats need(s) --design"),
        (["--design", str(MICE_DESIGN)], "--design needs --control"),
        (["--design", str(MICE_DESIGN), "--control", "saline"], "no group named 'saline'"),
    ],
    ids=["control-alone", "stats-alone", "design-alone", "unknown-control"],
)
def test_epm_design_options_errors(options: list[str], fragment: str) -> None:
    assert_user_error(run("epm", EPM_TRACKS, *options), fragment)


def test_example_study_is_the_generator_output() -> None:
    spec = importlib.util.spec_from_file_location("make_study", DESIGN_DIR / "make_study.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    endpoints, design = module.make_study()
    shipped = pd.read_csv(STUDY, keep_default_na=False, na_values=[""])
    made = pd.read_csv(
        pd.io.common.StringIO(endpoints.to_csv(index=False)), keep_default_na=False, na_values=[""]
    )
    pd.testing.assert_frame_equal(made, shipped)
    assert design.to_csv(index=False) == STUDY_DESIGN.read_text()
    assert np.isnan(shipped.set_index("animal").loc["m24", "open_time_pct"])


def test_a_semicolon_file_with_decimal_commas_reads_as_its_decimal_point_twin(tmp_path: Path) -> None:
    from scipy import stats

    vehicle, drug = [1.5, 2.25, 2.5, -0.5], [3.5, 4.5, 4.0, 5.75]
    rows = [("vehicle", v) for v in vehicle] + [("drug", v) for v in drug]
    comma = tmp_path / "comma.csv"
    comma.write_text(
        "animal;group;open_time_s\n"
        + "".join(f"m{i};{g};{str(v).replace('.', ',')}\n" for i, (g, v) in enumerate(rows))
    )
    out = tmp_path / "stats.csv"
    result = run("compare", comma, "--control", "vehicle", "--test", "parametric", "-o", out)
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out).query("group == 'drug'").iloc[0]
    assert row["difference"] == pytest.approx(np.mean(drug) - np.mean(vehicle))
    welch = stats.ttest_ind(drug, vehicle, equal_var=False)
    assert row["p_value"] == pytest.approx(welch.pvalue, rel=1e-9)


def test_compare_follows_the_analysis_plan_of_a_protocol_file(tmp_path: Path) -> None:
    out = tmp_path / "plan.xlsx"
    plan = DESIGN_DIR / "study_plan.toml"
    result = run(
        "compare", STUDY, "--design", STUDY_DESIGN, "--control", "vehicle", "--protocol", plan, "-o", out
    )
    assert result.exit_code == 0, result.output
    assert "open_time_pct (primary)" in result.stdout and "distance_cm (secondary)" in result.stdout
    assert "omnibus: endpoint" in result.stdout and "one-way ANOVA F(4, 39)" in result.stdout
    assert "latency: endpoint" in result.stdout and "anxiety vs locomotion: group" in result.stdout
    assert "group x sex interaction" in result.stderr  # the factorial rule, said in words
    sheets = pd.read_excel(out, sheet_name=None)
    models = sheets["models"]
    assert {"factorial", "ancova", "logrank", "cox"} <= set(models["analysis"])
    assert set(sheets["anova"]["ss_type"]) == {2, 3}
    notes = list(sheets["notes"]["note"])
    assert "plan: primary = 'open_time_pct'" in notes and "plan: factor = 'sex'" in notes
    comparisons = sheets["comparisons"]
    assert set(comparisons["role"]) == {"primary", "secondary"}


def test_an_option_overrides_the_plan_and_a_bad_plan_is_one_line(tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text('[statistics]\ntest = "steel"\nprimary = "open_time_pct"\n', encoding="utf-8")
    table = tmp_path / "s.csv"
    args = ["compare", STUDY, "--design", STUDY_DESIGN, "--control", "vehicle", *ONE, "--protocol", plan]
    assert run(*args, "-o", table, "-q").exit_code == 0
    assert set(pd.read_csv(table)["test"]) == {"steel"}
    assert run(*args, "--test", "welch", "-o", table, "-q").exit_code == 0
    assert set(pd.read_csv(table)["test"]) == {"dunnett_t3"}
    plan.write_text("[statistics]\nfactor = 3\n", encoding="utf-8")
    assert_user_error(run(*args), "plan.toml", "[statistics] factor = 3 is not a str")
    assert_user_error(
        run(*args[:-2], "--factor", "sx"), "no column 'sx' for the factor (--factor)", "did you mean 'sex'?"
    )


def test_epm_with_design_reads_the_statistics_table_of_its_preset(tmp_path: Path) -> None:
    preset = tmp_path / "maze.toml"
    text = (ROOT / "protocols" / "epm-mouse.toml").read_text(encoding="utf-8")
    preset.write_text(text + '\n[statistics]\ntest = "nonparametric"\n', encoding="utf-8")
    stats = tmp_path / "stats.csv"
    result = run(
        "epm",
        EPM_TRACKS,
        "--protocol",
        preset,
        "--design",
        MICE_DESIGN,
        "--control",
        "vehicle",
        "--stats",
        stats,
        "-q",
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(stats)
    assert set(table.loc[table["endpoint"] != "latency_open_s", "test"]) == {"mann_whitney_u"}
