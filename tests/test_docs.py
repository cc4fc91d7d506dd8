"""The documentation site builds without a warning, and what it shows is what assaykit does.

- the site builds with ``sphinx-build -W --keep-going`` (every warning an error), and its API reference has
  a page for every module of the package;
- every ``assaykit`` command in a ``bash`` block names only options the command has (``--help``), and
  those that run on the shipped example data (``examples/``) run;
- every ``console`` block (``$ assaykit ...`` then what it prints) is run and prints the lines shown, in
  that order (runs of spaces compared as one; ``...`` stands for lines left out);
- every ``python`` block runs (a block that cannot run here, such as one that needs a Dask cluster, is
  written with the ``{code-block}`` directive instead), and so does every example script a page includes;
- every option of every command is explained on its user-guide pages.
"""

from __future__ import annotations

import os
import pkgutil
import re
import runpy
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

import assaykit
from assaykit.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)


def blocks(language: str, pages: list[Path] = PAGES) -> list[tuple[str, str]]:
    """(page, text) of every fenced block of that language (```language, not a ``{code-block}`` directive)."""
    found = []
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for block in re.findall(rf"^```{language}\n(.*?)^```", text, flags=re.S | re.M):
            found.append((str(page.relative_to(ROOT)), block))
    return found


def command_lines(language: str = "bash") -> list[tuple[str, str]]:
    """(page, command) of every ``assaykit`` line of the pages' bash blocks, comments cut."""
    lines = []
    for page, block in blocks(language):
        for line in block.splitlines():
            line = line.split("  #")[0].strip().removeprefix("$ ")
            line = line.removeprefix("python3 -m pip install . && ")
            if line.startswith("assaykit "):
                lines.append((page, line))
    return list(dict.fromkeys(lines))


def redirect_outputs(args: list[str], tmp_path: Path) -> list[str]:
    """Send the command's outputs to the test's folder, not into the repository."""
    return [
        str(tmp_path / Path(a).name)
        if a.endswith(("/", ".csv", ".xlsx", ".html")) and not a.startswith("examples")
        else a
        for a in args
    ]


# --- the build ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the site once, warnings as errors, into a temporary folder."""
    out = tmp_path_factory.mktemp("html")
    env = {**os.environ, "PYTHONWARNINGS": "ignore::DeprecationWarning"}
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-b", "html", "-q", str(DOCS), str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr.strip() == "", result.stderr  # -q: only warnings would print, and there are none
    return out


def test_the_site_builds_with_warnings_as_errors(site: Path) -> None:
    for page in PAGES:
        html = site / page.relative_to(DOCS).with_suffix(".html")
        assert html.is_file(), html


def test_the_api_reference_has_a_page_for_every_module(site: Path) -> None:
    modules = ["assaykit"] + [
        m.name
        for m in pkgutil.walk_packages(assaykit.__path__, "assaykit.")
        if not m.name.endswith("__main__")
    ]
    assert len(modules) > 50
    missing = [m for m in modules if not (site / "api" / "generated" / f"{m}.html").is_file()]
    assert missing == []
    # numpydoc rendered the sections of a docstring as sections, not as plain text
    page = (site / "api" / "generated" / "assaykit.fitting.engine.html").read_text(encoding="utf-8")
    assert "fit_curve" in page and "Parameters" in page and "-----" not in page


def test_the_architecture_page_is_in_the_site(site: Path) -> None:
    page = (site / "architecture.html").read_text(encoding="utf-8")
    assert "fitting" in page and "imports nothing of" in page


# --- commands ---------------------------------------------------------------------------------------------


def _options(command: click.Command) -> set[str]:
    return {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)} | {
        "-h",
        "--help",
    }


def test_the_docs_show_commands() -> None:
    assert len(command_lines()) >= 40
    assert {line.split()[1] for _, line in command_lines()} >= {
        "binding",
        "saturation",
        "epm",
        "ldb",
        "compare",
    }


@pytest.mark.parametrize(("page", "command"), command_lines(), ids=lambda v: v[:60])
def test_every_documented_command_has_the_options_it_shows(page: str, command: str) -> None:
    args = shlex.split(command)[1:]
    assert args[0] in main.commands, f"{page}: {command}"
    known = _options(main.commands[args[0]])
    used = {a.split("=")[0] for a in args[1:] if a.startswith("-") and not re.fullmatch(r"-[\d.]+", a)}
    assert used <= known, f"{page}: {command}: no option {sorted(used - known)}"


def example_commands() -> list[tuple[str, str]]:
    return [(page, c) for page, c in command_lines() if "examples/" in c]


def test_the_docs_have_example_commands() -> None:
    assert len(example_commands()) >= 5


@pytest.mark.parametrize(("page", "command"), example_commands(), ids=lambda v: v[:60])
def test_every_documented_example_command_runs(
    page: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, redirect_outputs(shlex.split(command)[1:], tmp_path))
    assert result.exit_code == 0, f"{page}: {command}\n{result.output}"


# --- shown output -----------------------------------------------------------------------------------------


def console_sessions(pages: list[Path] = PAGES) -> list[tuple[str, str, list[str]]]:
    """(page, command, lines shown) of every ``$ assaykit`` command in a console block."""
    sessions = []
    for page, block in blocks("console", pages):
        for chunk in re.split(r"^\$ ", block, flags=re.M)[1:]:
            command, *shown = chunk.rstrip("\n").split("\n")
            sessions.append((page, command, shown))
    return sessions


def _squeeze(line: str) -> str:
    return " ".join(line.split())


def shown_lines_appear(shown: list[str], printed: str) -> str | None:
    """None when every shown line is printed, in order; else the first line that is not."""
    lines = [_squeeze(line) for line in printed.splitlines()]
    at = 0
    for want in (_squeeze(line) for line in shown):
        if want in ("", "..."):
            continue
        prefix = want.endswith("...")
        for i in range(at, len(lines)):
            if lines[i] == want or (prefix and lines[i].startswith(want.removesuffix("...").rstrip())):
                at = i + 1
                break
        else:
            return want
    return None


def test_the_check_of_shown_output_can_fail() -> None:
    printed = "a  b\nc\nd e f\n"
    assert shown_lines_appear(["a b", "...", "d e..."], printed) is None
    assert shown_lines_appear(["c", "a b"], printed) == "a b"  # out of order
    assert shown_lines_appear(["a b c"], printed) == "a b c"


def test_the_docs_show_output() -> None:
    assert len(console_sessions()) >= 10


@pytest.mark.parametrize(("page", "command", "shown"), console_sessions(), ids=lambda v: str(v)[:60])
def test_every_shown_output_is_what_the_command_prints(
    page: str, command: str, shown: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, redirect_outputs(shlex.split(command)[1:], tmp_path))
    assert result.exit_code == 0, f"{page}: {command}\n{result.output}"
    missing = shown_lines_appear(shown, result.output)
    assert missing is None, (
        f"{page}: {command}\nshown but not printed: {missing!r}\nprinted:\n{result.output}"
    )


# --- Python -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("page", "code"), blocks("python"), ids=lambda v: v.splitlines()[0][:50])
def test_every_python_block_runs(page: str, code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(code, page, "exec"), {})


def included_scripts() -> list[str]:
    found = set()
    for page in PAGES:
        for path in re.findall(r"```\{literalinclude\} (\S+\.py)", page.read_text(encoding="utf-8")):
            found.add(str((page.parent / path).resolve().relative_to(ROOT)))
    return sorted(found)


def test_the_examples_include_their_scripts() -> None:
    assert len(included_scripts()) >= 3


@pytest.mark.parametrize("script", included_scripts())
def test_every_included_example_script_runs(script: str, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(ROOT)
    runpy.run_path(str(ROOT / script), run_name="__main__")
    assert capsys.readouterr().out.strip()


# --- every option explained ------------------------------------------------------------------------------

GUIDE = {
    "binding": ["binding.md", "screens.md"],
    "saturation": ["saturation.md"],
    "epm": ["epm.md", "pose.md"],
    "ldb": ["ldb.md", "epm.md", "pose.md"],  # the light-dark box page refers to the plus maze's for the core
    "compare": ["compare.md"],
    "report": ["report.md"],
    "pk": ["pk.md"],
    "trial": ["trial.md"],
}


@pytest.mark.parametrize("name", sorted(GUIDE))
def test_every_option_is_explained_in_its_user_guide(name: str) -> None:
    text = "".join((DOCS / "user-guide" / page).read_text(encoding="utf-8") for page in GUIDE[name])
    text += (DOCS / "user-guide" / "safety.md").read_text(encoding="utf-8")  # -q, for every command
    missing = [
        opt
        for param in main.commands[name].params
        for opt in param.opts[:1]
        if opt.startswith("--") and f"`{opt}" not in text
    ]
    assert missing == [], f"{name}: options not explained in {GUIDE[name]}"


def test_every_command_has_a_page_that_names_it() -> None:
    text = "".join(p.read_text(encoding="utf-8") for p in PAGES)
    for name in main.commands:
        assert f"assaykit {name}" in text, name
