"""Every README command that runs on the shipped example data works as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from assaykit.cli import main

ROOT = Path(__file__).resolve().parents[1]


def example_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    lines = [line.split("  #")[0].strip() for block in blocks for line in block.splitlines()]
    commands = [line.removeprefix("python3 -m pip install . && ") for line in lines]
    return list(dict.fromkeys(c for c in commands if c.startswith("assaykit ") and "examples/" in c))


def test_the_readme_has_example_commands() -> None:
    assert len(example_commands()) >= 5


@pytest.mark.parametrize("command", example_commands())
def test_readme_example_command_runs(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args = shlex.split(command)[1:]
    # outputs go to the test's folder, not into the repository
    args = [
        str(tmp_path / Path(a).name)
        if a.endswith(("/", ".csv", ".xlsx", ".html", ".pzfx")) and not a.startswith("examples")
        else a
        for a in args
    ]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, f"{command}\n{result.output}"


def python_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [block for block in re.findall(r"```python\n(.*?)```", text, flags=re.S) if "examples/" in block]


@pytest.mark.parametrize("code", python_examples(), ids=lambda code: code.splitlines()[0][:50])
def test_readme_python_example_runs(code: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    exec(compile(code, "README.md", "exec"), {})  # the README's own example, on the shipped data


def test_the_readme_test_command_is_what_ci_runs() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    (command,) = [line for line in ci.splitlines() if "pytest" in line and "pip install" in line]
    assert f"```bash\n{command.strip()}\n```" in text


def test_the_readme_says_how_to_install_where_pip_needs_a_venv() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "```bash\npython3 -m venv .venv && . .venv/bin/activate\n```" in text
    assert "externally-managed-environment" in text and "Debian" in text


def test_the_readme_is_a_front_door() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 230  # issue 17: statistics; 18: reports; 20: PK; 21: the trial
    assert "python -m sphinx docs docs/_build/html" in text
    for link in re.findall(r"\]\((docs/[^)#]+)", text):  # every link into the docs names a page that exists
        assert (ROOT / link).is_file(), link
    assert "docs/changelog.md" in text
    # one example per protocol
    for command in ("binding", "saturation", "epm", "ldb", "compare"):
        assert any(c.startswith(f"assaykit {command} examples/") for c in example_commands()), command


def test_the_readme_output_is_what_the_command_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    from test_docs import console_sessions, shown_lines_appear

    monkeypatch.chdir(ROOT)
    sessions = console_sessions([ROOT / "README.md"])
    assert len(sessions) >= 1
    for _, command, shown in sessions:
        result = CliRunner().invoke(main, shlex.split(command)[1:])
        assert result.exit_code == 0, result.output
        assert shown_lines_appear(shown, result.output) is None, result.output
