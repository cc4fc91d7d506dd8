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
        if a.endswith(("/", ".csv", ".xlsx")) and not a.startswith("examples")
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
