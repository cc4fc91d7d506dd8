"""Collect the command lines and input files the test suite feeds the CLI, for ``check_identical.py``.

A pytest plugin, loaded only by ``python benchmarks/check_identical.py --harvest`` (which runs the suite
with ``-p identity_harvest`` and ``ASSAYKIT_HARVEST`` set to the output folder). It wraps
``click.testing.CliRunner.invoke``: before each invocation of ``assaykit.cli.main`` it records

* the arguments, with every path inside the test's temporary folder made relative to the run's working
  folder, and every path inside the repository made repository-relative;
* a snapshot of the test's temporary folder as it is at that moment (its input files and any sidecar
  they need), stored once per content as ``blobs/<sha256>``;
* the repository files named in the arguments (``examples/...``, ``tests/data/...``), which the check
  copies from the checkout it runs in;
* standard input, the ``env`` given to the runner and the environment variables the test changed.

Replayed as ``python -m assaykit ...`` in a fresh folder, such a case reads the same bytes the test fed the
CLI. What a test monkeypatched inside the process (a failing writer, a fake terminal) is not replayed: those
cases are marked ``patched`` and still run, as plain command lines on the same inputs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
#: Snapshots skip files larger than this (none of the suite's CLI inputs comes near it).
MAX_FILE_BYTES = 20_000_000

_state: dict = {"item": None, "cases": [], "keys": set(), "out": None, "config": None}


def pytest_configure(config: pytest.Config) -> None:
    target = os.environ.get("ASSAYKIT_HARVEST")
    if not target:
        return
    from click.testing import CliRunner

    _state.update(out=Path(target), config=config)
    (_state["out"] / "blobs").mkdir(parents=True, exist_ok=True)
    original = CliRunner.invoke

    def invoke(self, cli, args=None, input=None, env=None, *rest, **kwargs):  # noqa: A002 (click's name)
        try:
            _record(self, cli, args, input, env)
        except Exception as exc:  # the harvest must never change a test's outcome
            _state["cases"].append({"error": f"{type(exc).__name__}: {exc}", "test": _nodeid()})
        return original(self, cli, args, input, env, *rest, **kwargs)

    CliRunner.invoke = invoke


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item):
    _state["item"] = item
    yield
    _state["item"] = None


def pytest_unconfigure(config: pytest.Config) -> None:
    if _state["out"] is None:
        return
    path = _state["out"] / "cases.json"
    path.write_text(json.dumps(_state["cases"], indent=1, sort_keys=True) + "\n", encoding="utf-8")


def _nodeid() -> str:
    item = _state["item"]
    return item.nodeid if item is not None else "?"


def _command_prefix(cli) -> list[str] | None:
    """The words before the test's arguments: [] for ``main``, [name] for one of its subcommands."""
    from assaykit.cli import main

    if cli is main:
        return []
    if getattr(main, "commands", {}).get(getattr(cli, "name", None)) is cli:
        return [cli.name]
    return None  # some other click command (a test's own): not assaykit's CLI


def _blob(path: Path) -> str:
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    target = _state["out"] / "blobs" / digest
    if not target.exists():
        target.write_bytes(data)
    return digest


def _snapshot(root: Path, prefix: Path) -> dict:
    """The files of ``root``: a blob digest each, or a dict for links, unusual modes and empty folders."""
    files: dict = {}
    inodes: dict[tuple[int, int], str] = {}
    for base, dirs, names in os.walk(root):
        for name in sorted(dirs) + sorted(names):
            path = Path(base) / name
            rel = str(prefix / path.relative_to(root))
            st = path.lstat()
            mode = st.st_mode & 0o777
            if path.is_symlink():
                target = os.readlink(path)
                if os.path.isabs(target) and _under(Path(target), root):
                    target = os.path.relpath(target, path.parent)
                files[rel] = {"symlink": target}
            elif path.is_dir():
                if mode != 0o755 or not any(path.iterdir()):
                    files[rel] = {"dir": True, **({"mode": mode} if mode != 0o755 else {})}
            elif path.is_file() and st.st_size <= MAX_FILE_BYTES:
                key = (st.st_dev, st.st_ino)
                if st.st_nlink > 1 and key in inodes:
                    files[rel] = {"hardlink": inodes[key]}
                    continue
                inodes[key] = rel
                digest = _blob(path)
                files[rel] = digest if mode == 0o644 else {"blob": digest, "mode": mode}
    return files


def _under(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _record(runner, cli, args, stdin, env) -> None:
    prefix = _command_prefix(cli)
    if prefix is None:
        return
    if isinstance(args, str):
        args = shlex.split(args)
    words = [str(a) for a in (args or [])]
    basetemp = Path(_state["config"]._tmp_path_factory.getbasetemp()).resolve()
    cwd = Path.cwd().resolve()

    # The test's folder: the first component under basetemp of the working folder or of any argument.
    roots = [cwd] + [Path(w) if os.path.isabs(w) else cwd / w for w in words if not w.startswith("-")]
    test_root = None
    for p in roots:
        p = Path(os.path.abspath(p))
        if _under(p, basetemp) and p != basetemp:
            test_root = basetemp / p.relative_to(basetemp).parts[0]
            break
    inside = test_root is not None and _under(cwd, test_root)
    # The case's folder holds the repository files at their repository paths and the test's folder either
    # as the root (when the test ran inside it) or under _tmp/.
    prefix_t = Path(".") if inside else Path("_tmp")
    if inside:
        cwd_rel = cwd.relative_to(test_root)
    elif _under(cwd, REPO):
        cwd_rel = cwd.relative_to(REPO)
    else:
        cwd_rel = Path(".")

    repo_files: set[str] = set()
    rewritten = []
    for w in words:
        value = w
        head, eq, tail = w.partition("=") if w.startswith("--") else ("", "", w)
        p = Path(os.path.abspath(cwd / tail))
        if tail and (os.path.isabs(tail) or os.sep in tail or p.exists()):
            if test_root is not None and _under(p, test_root):
                value = head + eq + os.path.relpath(prefix_t / p.relative_to(test_root), cwd_rel)
            elif _under(p, REPO) and not _under(p, basetemp):
                rel = p.relative_to(REPO)
                if p.is_file():
                    repo_files.add(str(rel))
                elif p.is_dir() and rel.parts[:1] in (("examples",), ("tests",)) and rel != Path("tests"):
                    repo_files.update(str(f.relative_to(REPO)) for f in p.rglob("*") if f.is_file())
                value = head + eq + os.path.relpath(rel, cwd_rel)
        rewritten.append(value)

    files = _snapshot(test_root, prefix_t) if test_root is not None and test_root.exists() else {}
    item = _state["item"]
    monkeypatch = item.funcargs.get("monkeypatch") if item is not None and hasattr(item, "funcargs") else None
    # Only what the test itself set: monkeypatch.setenv/delenv and the runner's env. (A library imported
    # by an earlier test may change os.environ for the rest of the session: dask sets PYTHONHASHSEED.)
    env_changes = {
        name: os.environ.get(name)
        for dictionary, name, _ in (monkeypatch._setitem if monkeypatch is not None else [])
        if dictionary is os.environ
    }
    env_changes.update({**(runner.env or {}), **(env or {})})
    patched = bool(monkeypatch is not None and (monkeypatch._setattr or monkeypatch._setitem))
    if isinstance(stdin, bytes):
        stdin = stdin.decode("utf-8", "surrogateescape")
    elif stdin is not None and not isinstance(stdin, str):
        stdin = None  # a stream: not replayable
    case = {
        "args": prefix + rewritten,
        "cwd": str(cwd_rel),
        "files": files,
        "repo_files": sorted(repo_files),
        "stdin": stdin,
        "env": env_changes,
        "patched": patched,
    }
    key = json.dumps(case, sort_keys=True)
    if key in _state["keys"]:
        return
    _state["keys"].add(key)
    case["test"] = _nodeid()
    _state["cases"].append(case)
