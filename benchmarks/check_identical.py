"""Check that a change of layout changed no output: every CLI run on the examples and the tests' inputs.

Issue 16 moves modules with "no change of behaviour". This script makes that checkable. It runs
``python -m assaykit`` (with this checkout's ``src`` first on ``PYTHONPATH``) on

* the **examples** (``examples/*/``) and the **test data** (``tests/data/``) with the option sets of the
  README and the examples' READMEs (:data:`CURATED`), and
* every **command line the test suite feeds the CLI**, on the very bytes it fed it (the harvest in
  ``benchmarks/identity_cases/``: 680-odd invocations from 29 test files, their inputs stored once per
  content; ``--harvest`` rebuilds it by running the suite with ``identity_harvest.py``),

each in a fresh temporary folder (its inputs copied in, relative paths as in the README), and records the
exit code, stdout and stderr and the SHA-256 of every file the run wrote (results, points, plots,
workbooks) in a manifest::

    python benchmarks/check_identical.py --record manifest.json     # before the moves
    python benchmarks/check_identical.py --compare manifest.json    # after: every difference, exit 1 if any

Paths in the manifest are relative to the case's folder, so it works from any checkout (``/work/main``, a
worktree, a clone). Each case runs in a child forked from a worker process that has imported the
third-party stack (numpy, pandas, scipy, matplotlib, lmfit) but not assaykit, which the child imports from
``src`` and runs as ``python -m assaykit`` does (``runpy``); ``--fresh`` starts a new interpreter per case
instead (three times slower; the manifests are the same). About 250 CPU-seconds in all: two to three
minutes on two idle cores (``--jobs``, default one worker per core). ``-k TEXT`` runs the cases whose name
holds TEXT; ``--keep DIR`` keeps each case's folder for a look at what differs.

What is normalised (each is non-deterministic or says where the check ran, not what assaykit did):

* the case's temporary folder and this checkout's path in stdout/stderr become ``<CASE>`` and ``<REPO>``;
* the random part of a staged output's temporary name (``.results.csv.k3j_9x2a.tmp.csv``, mkstemp's
  eight characters) becomes ``<TMP>``;
* an .xlsx file is hashed by its parts (name and content, in name order), with the creation and
  modification times in ``docProps/core.xml`` blanked: xlsxwriter stamps the time of the run there and in
  each zip entry's header. A cell, a sheet, a style or a column width that changes is still a difference.

Nothing else is excluded: PNGs are compared byte for byte (matplotlib writes no time into a PNG), and the
runs get a fixed ``COLUMNS``, locale and time zone so the caller's terminal does not enter the text.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import hashlib
import io
import json
import lzma
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CASES = Path(__file__).resolve().parent / "identity_cases"
MANIFEST_VERSION = 1
TIMEOUT_S = 300

# The option sets of the README and of examples/*/README.md, on the shipped example data and tests/data.
# (name, arguments); every path is repository-relative and copied into the case's folder from the checkout.
_B = ["binding", "examples/binding/counts.csv"]
_KD = ["--kd", "1.5", "--radioligand", "1"]
_SAT = ["saturation", "examples/saturation/sat.csv"]
_UNITS = ["--efficiency", "0.45", "--specific-activity", "85", "--protein-mg", "0.1"]
_EPM = ["epm", "examples/epm/tracks.csv"]
_LDB = ["ldb", "examples/ldb/tracks.csv"]
_POSE = ["epm", "examples/epm/pose/two_mice.analysis.h5", "--fps", "15", "--px-per-cm", "4"]
_POSE += ["--zones", "examples/epm/pose/rois.geojson", "--duration", "120"]
_CMP = ["compare", "examples/design/epm_endpoints.csv", "--design", "examples/design/study_design.csv"]
_CMP += ["--control", "vehicle"]
_DESIGN = ["--design", "examples/design/design.csv", "--control", "vehicle"]
_T = "tests/data/tracks/"
CURATED: list[tuple[str, list[str]]] = [
    ("help", ["--help"]),
    *[(f"help-{c}", [c, "--help"]) for c in ("binding", "saturation", "epm", "ldb", "compare", "protocols")],
    ("protocols", ["protocols"]),
    *[
        (f"protocol-{p}", ["protocols", p])
        for p in ("bzd-flunitrazepam", "epm-mouse", "epm-rat", "ldb-mouse")
    ],
    # competition binding
    ("binding", [*_B, *_KD]),
    ("binding-wide", ["binding", "examples/binding/counts_wide.csv", *_KD, "-o", "wide.csv"]),
    ("binding-files", [*_B, *_KD, "-o", "results.csv", "--points", "points.csv", "--plot", "plots/"]),
    ("binding-tsv", [*_B, *_KD, "-o", "results.tsv"]),
    ("binding-json", [*_B, *_KD, "-o", "results.json"]),
    ("binding-xlsx", [*_B, *_KD, "-o", "results.xlsx", "--points", "points.xlsx"]),
    ("binding-fit-ki", [*_B, "--model", "fit-ki", *_KD, "--ci", "profile", "-o", "r.csv"]),
    ("binding-one-site", [*_B, "--model", "one-site", *_KD, "-o", "r.csv"]),
    ("binding-nsb", [*_B, "--bottom", "nsb", "--top", "total", "--points", "points.csv", "-o", "r.csv"]),
    ("binding-fixed", [*_B, "--bottom", "250", "--top", "3100", *_KD]),
    ("binding-preset", [*_B, "--protocol", "bzd-flunitrazepam", "-o", "r.json"]),
    ("binding-compare", [*_B, *_KD, "--compare", "comparison.csv", "-o", "r.csv"]),
    ("binding-compare-print", [*_B, *_KD, "--compare"]),
    ("binding-two-site", [*_B, "--model", "two-site", *_KD, "-o", "r.csv", "--plot", "plots"]),
    ("binding-two-site-ki", [*_B, "--model", "two-site-ki", *_KD, "--kd-lo", "3", "-o", "r.xlsx"]),
    ("binding-rout", [*_B, *_KD, "--outliers", "rout", "--weights", "poisson", "-o", "r.csv"]),
    ("binding-rout-q", [*_B, *_KD, "--outliers", "rout", "--rout-q", "5", "--points", "p.csv"]),
    ("binding-kd-se", [*_B, *_KD, "--kd-se", "0.1", "-o", "r.csv"]),
    ("binding-potency", [*_B, *_KD, "--potency-vs", "diazepam", "-o", "results.csv"]),
    ("binding-lmfit", [*_B, *_KD, "--engine", "lmfit", "-o", "r.csv"]),
    ("binding-batch", [*_B, *_KD, "--engine", "batch", "-o", "r.csv"]),
    ("binding-fit-all", [*_B, *_KD, "--fdr", "1", "--min-displacement", "0", "-o", "r.csv"]),
    ("binding-homologous", [*_B, "--model", "homologous", "--radioligand", "1", "-o", "r.csv"]),
    ("binding-quiet", [*_B, *_KD, "-q"]),
    # saturation binding
    ("saturation", _SAT),
    ("saturation-units", [*_SAT, *_UNITS, "--volume-ml", "1"]),
    (
        "saturation-files",
        [*_SAT, *_UNITS, "--ci", "profile", "-o", "r.xlsx", "--points", "p.csv", "--plot", "pl/"],
    ),
    ("saturation-hill", [*_SAT, "--model", "hill", "--ci", "profile", "-o", "r.json"]),
    ("saturation-one-site", [*_SAT, "--model", "one-site", "-o", "r.csv"]),
    ("saturation-two-site", [*_SAT, "--model", "two-site", "-o", "r.csv"]),
    ("saturation-two-site-total", [*_SAT, "--model", "two-site-total", "-o", "r.tsv"]),
    ("saturation-cells", [*_SAT, "--specific-activity", "85", "--cells", "2e5", "--volume-ml", "0.5"]),
    # elevated plus maze
    ("epm", _EPM),
    ("epm-files", [*_EPM, "-o", "endpoints.xlsx", "--episodes", "visits.csv", "--plot", "plots/"]),
    ("epm-json", [*_EPM, "--protocol", "epm-mouse", "-o", "e.json"]),
    ("epm-window", [*_EPM, "--start", "10", "--duration", "200", "--hysteresis", "1.5", "--min-time", "0.2"]),
    ("epm-end", [*_EPM, "--end", "120", "--max-lost", "0.2", "-o", "e.tsv"]),
    ("epm-design", [*_EPM, *_DESIGN, "--stats", "stats.xlsx", "-o", "e.csv", "--plot", "plots"]),
    ("epm-design-csv", [*_EPM, *_DESIGN, "--test", "parametric", "--stats", "stats.csv"]),
    (
        "epm-jobs",
        ["epm", "examples/epm/tracks.csv", _T + "anymaze_test.csv", _T + "ethovision_2014.txt", "-j", "2"],
    ),
    ("pose", _POSE),
    ("pose-files", [*_POSE, "-o", "e.csv", "--episodes", "v.csv", "--postures", "p.csv", "--plot", "plots"]),
    (
        "pose-all-points",
        [*_POSE, "--keypoint", "left_ear,right_ear,centre,tail_base", "--entry-rule", "all-points"],
    ),
    ("pose-fraction", [*_POSE, "--entry-rule", "fraction:0.5", "--confidence", "0.8", "--max-gap", "5"]),
    ("pose-median", [*_POSE, "--median-window", "5", "--min-periods", "3", "-o", "e.json"]),
    ("pose-savgol", [*_POSE, "--savgol-window", "7", "--savgol-order", "3", "--smooth-first"]),
    ("pose-postures", [*_POSE, "--head-dip-min-cm", "1", "--sap-sd", "0.5", "--postures", "p.xlsx"]),
    # light-dark box
    ("ldb", _LDB),
    ("ldb-files", [*_LDB, "-o", "endpoints.csv", "--plot", "plots/", "--episodes", "v.tsv"]),
    ("ldb-xlsx", [*_LDB, "--protocol", "ldb-mouse", "-o", "endpoints.xlsx"]),
    ("ldb-design", [*_LDB, *_DESIGN, "--stats", "stats.csv", "--test", "nonparametric"]),
    ("ldb-min-time", [*_LDB, "--min-time", "0.5", "--hysteresis", "2", "--jobs", "auto"]),
    # group statistics
    ("compare", _CMP),
    ("compare-files", [*_CMP, "-o", "stats.xlsx", "--plot", "plots/", "--summary", "summary.csv"]),
    ("compare-endpoint", [*_CMP, "--endpoint", "open_time_pct", "--test", "parametric", "-o", "s.json"]),
    ("compare-nonparametric", [*_CMP, "--test", "nonparametric", "-o", "s.csv"]),
    ("compare-no-design", ["compare", "examples/design/epm_endpoints.csv", "--control", "vehicle"]),
    # issue 17: the analysis plan of the example study (primary, sex, cohort, covariate, count models)
    ("compare-plan", [*_CMP, "--protocol", "examples/design/study_plan.toml", "-o", "plan.xlsx"]),
    ("compare-welch", [*_CMP, "--test", "welch", "--primary", "open_time_pct", "-o", "w.csv"]),
    ("compare-steel", [*_CMP, "--test", "steel", "--dunn-adjust", "bonferroni", "--quartiles", "prism"]),
    ("compare-random-cohort", [*_CMP, "--block", "cohort", "--block-model", "random", "--spread", "sem"]),
    # tests/data: the vendor and pose-estimation files
    ("data-anymaze", ["epm", _T + "anymaze_test.csv", "-o", "e.csv"]),
    ("data-ethovision", ["epm", _T + "ethovision_2014.txt", _T + "ethovision_unicode.txt", "-o", "e.csv"]),
    ("data-dlc", ["epm", _T + "dlc_single.csv", _T + "dlc_multi.csv", "--fps", "30", "--px-per-cm", "4"]),
    (
        "data-dlc-zones",
        ["epm", _T + "dlc_single.csv", "--fps", "30", "--zones", "tests/data/movement_epm_rois.json"],
    ),
    ("data-ldb-dlc", ["ldb", _T + "dlc_multi.csv", "--fps", "30", "--px-per-cm", "4", "-o", "l.csv"]),
    ("data-puromycin", ["saturation", "tests/data/puromycin.csv", "--specific"]),
    ("data-ryegrass", ["binding", "tests/data/ryegrass.csv"]),
]

_TMP_NAME = re.compile(r"(\.[^/\\\s'\"]+?\.)[A-Za-z0-9_]{8}(\.tmp|\.bak)")
_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)")


def sha256(data: bytes) -> str:
    """The hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def output_digest(name: str, data: bytes) -> str:
    """The SHA-256 of an output, after the normalisation its kind needs (see the module docstring)."""
    if name.lower().endswith(".xlsx") and data[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as book:
                h = hashlib.sha256(b"xlsx-parts\n")
                for part in sorted(book.namelist()):
                    content = book.read(part)
                    if part == "docProps/core.xml":
                        # reason: xlsxwriter writes the time of the run as the workbook's creation time
                        content = _CORE_TIMES.sub(rb"\1\2", content)
                    h.update(part.encode() + b"\0" + sha256(content).encode() + b"\n")
                return "xlsx:" + h.hexdigest()
        except zipfile.BadZipFile:
            pass
    return sha256(data)


def normalise_text(text: str, case_dir: Path) -> str:
    """Replace what says where the check ran (the case's folder, this checkout, mkstemp's random part)."""
    for folder, mark in ((case_dir, "<CASE>"), (REPO, "<REPO>")):
        for form in {str(folder), os.path.realpath(folder)}:
            text = text.replace(form, mark)
    return _TMP_NAME.sub(r"\1<TMP>\2", text)  # reason: mkstemp's random characters


# --- the cases ------------------------------------------------------------------------------------------


def load_cases() -> dict[str, dict]:
    """Every case: the curated ones (``ex:<name>``) and the harvested ones (``t:<test id>[#k]``)."""
    cases: dict[str, dict] = {}
    for name, args in CURATED:
        repo_files = sorted({a for a in args if (REPO / a).is_file()})
        cases[f"ex:{name}"] = {"args": args, "cwd": ".", "files": {}, "repo_files": repo_files, "env": {}}
    harvested = CASES / "cases.json"
    if harvested.exists():
        seen: dict[str, int] = {}
        for case in json.loads(harvested.read_text(encoding="utf-8")):
            if "args" not in case:
                continue
            k = seen[case["test"]] = seen.get(case["test"], 0) + 1
            cases[f"t:{case['test']}" + (f"#{k}" if k > 1 else "")] = case
    return cases


def _blob(digest: str) -> bytes:
    return lzma.decompress((CASES / "blobs" / f"{digest}.xz").read_bytes())


def materialise(case: dict, folder: Path) -> dict[str, str]:
    """Lay out the case's inputs in ``folder``; return {relative path: digest} of what was laid out."""
    inputs: dict[str, str] = {}
    for rel in case.get("repo_files", []):
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(REPO / rel, target)
        inputs[rel] = output_digest(rel, target.read_bytes())
    entries = sorted(case.get("files", {}).items())
    # plain files and folders first, then links to them, then the modes (deepest first: a locked folder)
    rank = {"blob": 0, "dir": 0, "hardlink": 1, "symlink": 1}
    entries.sort(key=lambda e: 0 if isinstance(e[1], str) else rank[next(k for k in e[1] if k in rank)])
    for rel, entry in entries:
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        entry = {"blob": entry} if isinstance(entry, str) else entry
        if "blob" in entry:
            target.write_bytes(_blob(entry["blob"]))
        elif "dir" in entry:
            target.mkdir(exist_ok=True)
        elif "hardlink" in entry:
            os.link(folder / entry["hardlink"], target)
        elif "symlink" in entry:
            target.symlink_to(entry["symlink"])
            inputs[rel] = "symlink:" + entry["symlink"]
            continue
        inputs[rel] = "dir" if target.is_dir() else output_digest(rel, target.read_bytes())
    for rel, entry in sorted(entries, key=lambda e: -len(e[0])):
        if isinstance(entry, dict) and "mode" in entry:
            os.chmod(folder / rel, entry["mode"])
    return inputs


def collect(folder: Path, inputs: dict[str, str]) -> dict[str, str]:
    """{relative path: digest and mode} of what the run left in ``folder`` beyond its unchanged inputs."""
    now: dict[str, str] = {}
    for root, dirs, names in os.walk(folder):
        for name in dirs + names:
            path = Path(root) / name
            # reason: a staged file left behind has mkstemp's random characters in its name
            rel = _TMP_NAME.sub(r"\1<TMP>\2", str(path.relative_to(folder)))
            if path.is_symlink():
                now[rel] = "symlink:" + os.readlink(path)
            elif path.is_dir():
                now[rel] = "dir"
            else:
                try:
                    now[rel] = (
                        output_digest(name, path.read_bytes()) + f" mode {path.stat().st_mode & 0o777:o}"
                    )
                except OSError as exc:
                    now[rel] = f"unreadable ({exc.strerror})"
    found: dict[str, str] = {}
    for rel, digest in now.items():
        before = inputs.get(rel)
        if before is not None:
            if digest.split(" mode ")[0] != before:
                found[rel] = f"{digest} (an input, rewritten)"
        elif not (digest == "dir" and any(k.startswith(rel + os.sep) for k in inputs)):
            found[rel] = digest
    for rel in inputs:
        if not os.path.lexists(folder / rel):
            found[rel] = "deleted"
    return found


def _unlock(folder: Path) -> None:
    for root, dirs, _ in os.walk(folder):
        for d in dirs:
            p = Path(root) / d
            if not p.is_symlink():
                os.chmod(p, 0o755)


def case_env(case: dict) -> dict[str, str]:
    """The environment of a case: the caller's, this checkout's ``src`` first on the path, fixed terminal."""
    env = dict(os.environ)
    # reason: the caller's terminal width, locale and time zone are not assaykit's behaviour
    env.update(COLUMNS="120", LINES="40", LC_ALL="C.UTF-8", LANG="C.UTF-8", TZ="UTC")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), *filter(None, [env.get("PYTHONPATH")])])
    for key, value in case.get("env", {}).items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


class Worker:
    """One ``check_identical.py --worker`` process: imports the third-party stack once, forks per case.

    Each case then runs in a child forked from a process that has imported numpy, pandas, scipy,
    matplotlib and lmfit but nothing of assaykit, which the child imports from ``src`` as
    ``python -m assaykit`` would (:func:`worker_main`); about 0.7 s of start-up saved per case. ``--fresh``
    starts a new interpreter per case instead; both give the same manifest.
    """

    def __init__(self) -> None:
        env = case_env({})
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=tempfile.gettempdir(),
        )

    def run(self, job: dict) -> int | str:
        """Run one job (argv, cwd, env, stdin/stdout/stderr files); its exit code, or ``"timeout"``."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(job).encode() + b"\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())["exit"]

    def close(self) -> None:
        """End the worker."""
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait()


def worker_main() -> None:
    """The loop of a ``--worker`` process: read a job per line, run it in a forked child, answer its code."""
    import runpy
    import signal

    for module in PRELOAD:
        with contextlib.suppress(ImportError):
            __import__(module)
    commands, answers = sys.stdin.buffer, sys.stdout
    for line in commands:
        job = json.loads(line)
        answers.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.chdir(job["cwd"])
                os.environ.clear()
                os.environ.update(job["env"])
                for fd, name, flags in ((0, "stdin", os.O_RDONLY), (1, "stdout", os.O_WRONLY | os.O_CREAT)):
                    os.dup2(os.open(job[name], flags, 0o644), fd)
                os.dup2(os.open(job["stderr"], os.O_WRONLY | os.O_CREAT, 0o644), 2)
                # the worker's stdin may hold read-ahead jobs: the child gets its own, as a new process has
                stdin = open(0, encoding="utf-8", errors="surrogateescape", closefd=False)  # noqa: SIM115
                sys.stdin = sys.__stdin__ = stdin
                sys.path[0] = os.getcwd()  # as for python -m: the working folder first
                sys.argv = ["-m", *job["argv"]]
                try:
                    runpy.run_module("assaykit", run_name="__main__", alter_sys=True)
                    code = 0
                except SystemExit as exc:  # as the interpreter turns SystemExit into an exit status
                    if exc.code is None or isinstance(exc.code, int):
                        code = exc.code or 0
                    else:
                        print(exc.code, file=sys.stderr)
                        code = 1
                except BaseException:
                    sys.excepthook(*sys.exc_info())
                    code = 1
                import atexit
                import threading

                threading._shutdown()  # what the interpreter does at exit, in this order
                atexit._run_exitfuncs()
            finally:
                for stream in (sys.stdout, sys.stderr):
                    with contextlib.suppress(Exception):
                        stream.flush()
                os._exit(code)
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                code: int | str = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                code = "timeout"
                break
            time.sleep(0.005)
        answers.write(json.dumps({"exit": code}) + "\n")
        answers.flush()


#: What a worker imports before forking: the slow third-party imports the commands share (never assaykit,
#: which each case imports afresh, so that an import cycle or a missing module shows as in a new process).
PRELOAD = (
    "numpy",
    "pandas",
    "scipy.special",
    "scipy.optimize",
    "scipy.stats",
    "lmfit",
    "matplotlib.pyplot",
    "click",
    "h5py",
    "xlsxwriter",
    "isal",
    "orjson",
    "python_calamine",
    "yaml",
)


def run_case(name: str, case: dict, worker: Worker | None = None, keep: Path | None = None) -> dict:
    """Run one case in a fresh folder (forked by ``worker``, or as a new ``python -m assaykit``)."""
    folder = Path(tempfile.mkdtemp(prefix="ident-"))
    streams = Path(tempfile.mkdtemp(prefix="ident-io-"))
    try:
        inputs = materialise(case, folder)
        env = case_env(case)
        cwd = folder / case.get("cwd", ".")
        (streams / "stdin").write_bytes((case.get("stdin") or "").encode("utf-8", "surrogateescape"))
        start = time.perf_counter()
        if worker is not None:
            job = {"argv": case["args"], "cwd": str(cwd), "env": env}
            job.update({s: str(streams / s) for s in ("stdin", "stdout", "stderr")})
            code = worker.run(job)
        else:
            with (
                open(streams / "stdin", "rb") as stdin,
                open(streams / "stdout", "wb") as stdout,
                open(streams / "stderr", "wb") as stderr,
            ):
                try:
                    command = [sys.executable, "-m", "assaykit", *case["args"]]
                    done = subprocess.run(
                        command,
                        cwd=cwd,
                        env=env,
                        stdin=stdin,
                        stdout=stdout,
                        stderr=stderr,
                        timeout=TIMEOUT_S,
                    )
                    code = done.returncode
                except subprocess.TimeoutExpired:
                    code = "timeout"
        seconds = time.perf_counter() - start
        _unlock(folder)
        out, err = (
            (streams / s).read_bytes() if (streams / s).exists() else b"" for s in ("stdout", "stderr")
        )
        return {
            "command": "assaykit " + " ".join(case["args"]),
            "exit": code,
            "stdout": normalise_text(out.decode("utf-8", "replace"), folder),
            "stderr": normalise_text(err.decode("utf-8", "replace"), folder),
            "files": collect(folder, inputs),
            "inputs": inputs,
            "seconds": round(seconds, 2),
        }
    finally:
        _unlock(folder)
        if keep is not None:
            shutil.copytree(folder, keep / re.sub(r"[^\w.-]+", "_", name)[-120:], symlinks=True)
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(streams, ignore_errors=True)


def run_all(
    cases: dict[str, dict],
    jobs: int,
    order: dict | None = None,
    keep: Path | None = None,
    fresh: bool = False,
) -> dict:
    """Run the cases on ``jobs`` workers, the longest first (by ``order``'s seconds) to finish together."""
    names = sorted(cases, key=lambda n: -(order or {}).get(n, {}).get("seconds", 1.0))
    results: dict[str, dict] = {}
    queue = iter(names)
    lock = threading.Lock()

    def drain() -> None:
        worker = None if fresh else Worker()
        try:
            while True:
                with lock:
                    name = next(queue, None)
                if name is None:
                    return
                record = run_case(name, cases[name], worker, keep)
                with lock:
                    results[name] = record
                    print(f"\r{len(results)}/{len(names)} cases", end="", file=sys.stderr, flush=True)
        finally:
            if worker is not None:
                worker.close()

    threads = [threading.Thread(target=drain) for _ in range(max(1, jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(file=sys.stderr)
    missing = set(names) - set(results)
    if missing:
        raise RuntimeError(f"{len(missing)} case(s) did not run, e.g. {sorted(missing)[0]}")
    return {n: results[n] for n in sorted(results)}


# --- the comparison -------------------------------------------------------------------------------------


def _text_diff(old: str, new: str, limit: int = 12) -> list[str]:
    lines = list(
        difflib.unified_diff(old.splitlines(), new.splitlines(), "recorded", "now", lineterm="", n=1)
    )
    return [f"      {line}" for line in lines[2 : 2 + limit]] + (
        ["      ..."] if len(lines) > 2 + limit else []
    )


def differences(recorded: dict, current: dict) -> list[str]:
    """One block of lines per case whose exit code, stdout, stderr, outputs or inputs differ."""
    report: list[str] = []
    for name in sorted(set(recorded) | set(current)):
        old, new = recorded.get(name), current.get(name)
        if old is None or new is None:
            report.append(f"{name}: only in the {'current run' if old is None else 'manifest'}")
            continue
        lines = []
        if old["inputs"] != new["inputs"]:
            changed = sorted(
                k
                for k in set(old["inputs"]) | set(new["inputs"])
                if old["inputs"].get(k) != new["inputs"].get(k)
            )
            lines.append(f"  inputs differ (not a like-for-like run): {', '.join(changed)}")
        if old["exit"] != new["exit"]:
            lines.append(f"  exit code {old['exit']} -> {new['exit']}")
        for stream in ("stdout", "stderr"):
            if old[stream] != new[stream]:
                lines += [f"  {stream} differs:", *_text_diff(old[stream], new[stream])]
        for path in sorted(set(old["files"]) | set(new["files"])):
            a, b = old["files"].get(path), new["files"].get(path)
            if a != b:
                what = "missing" if b is None else "new" if a is None else "differs"
                lines.append(f"  file {path} {what}" + (f" ({a} -> {b})" if a and b else ""))
        if lines:
            report += [f"{name}: {new['command']}", *lines]
    return report


def harvest() -> int:
    """Rebuild benchmarks/identity_cases/ by running the test suite with the harvesting plugin."""
    with tempfile.TemporaryDirectory() as raw:
        env = dict(os.environ, ASSAYKIT_HARVEST=raw)
        env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(Path(__file__).parent)])
        cmd = [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "identity_harvest",
            "tests",
        ]
        code = subprocess.run(cmd, cwd=REPO, env=env).returncode
        if code != 0:
            print("the suite failed; the corpus is left as it was", file=sys.stderr)
            return 1
        shutil.rmtree(CASES, ignore_errors=True)
        (CASES / "blobs").mkdir(parents=True)
        for blob in (Path(raw) / "blobs").iterdir():
            (CASES / "blobs" / f"{blob.name}.xz").write_bytes(lzma.compress(blob.read_bytes(), preset=9))
        shutil.copyfile(Path(raw) / "cases.json", CASES / "cases.json")
    print(f"harvested {len(json.loads((CASES / 'cases.json').read_text()))} cases into {CASES}")
    return 0


def read_manifest(path: str, parser: argparse.ArgumentParser) -> dict:
    """The cases of a manifest written by ``--record``; a one-line error (exit 2) for anything else."""
    try:
        manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        parser.error(f"{path}: cannot read it ({exc.strerror})")
    except ValueError as exc:
        parser.error(f"{path}: not JSON ({exc})")
    if not isinstance(manifest, dict) or not isinstance(manifest.get("cases"), dict):
        parser.error(f"{path}: not a manifest of check_identical.py --record (no 'cases')")
    if manifest.get("version") != MANIFEST_VERSION:
        parser.error(
            f"{path}: manifest version {manifest.get('version')}; this script writes {MANIFEST_VERSION}"
        )
    return manifest["cases"]


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--record", metavar="MANIFEST", help="run every case and write the manifest")
    what.add_argument(
        "--compare", metavar="MANIFEST", help="run every case and list what differs; exit 1 if any"
    )
    what.add_argument("--harvest", action="store_true", help="rebuild identity_cases/ from the test suite")
    what.add_argument("--list", action="store_true", help="print the cases and their command lines")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="cases at once [cores]")
    parser.add_argument("-k", "--only", metavar="TEXT", help="only the cases whose name contains TEXT")
    parser.add_argument("--keep", metavar="DIR", help="copy each case's folder here after its run")
    parser.add_argument("--fresh", action="store_true", help="a new python -m assaykit per case (slower)")
    if argv is None and sys.argv[1:] == ["--worker"]:
        worker_main()
        return 0
    opts = parser.parse_args(argv)
    if opts.harvest:
        return harvest()
    cases = load_cases()
    if opts.only:
        cases = {n: c for n, c in cases.items() if opts.only in n}
        if not cases:
            parser.error(f"no case name contains '{opts.only}' (see --list)")
    if opts.record and not Path(opts.record).resolve().parent.is_dir():
        parser.error(f"{opts.record}: its folder does not exist")
    if opts.compare:
        recorded = read_manifest(opts.compare, parser)
    if opts.list:
        for name, case in cases.items():
            print(f"{name}\n    assaykit {' '.join(case['args'])}")
        return 0
    keep = Path(opts.keep) if opts.keep else None
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    if opts.record:
        current = run_all(cases, opts.jobs, keep=keep, fresh=opts.fresh)
        manifest = {"version": MANIFEST_VERSION, "python": sys.version.split()[0], "cases": current}
        Path(opts.record).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        print(f"recorded {len(current)} cases in {time.perf_counter() - start:.0f} s -> {opts.record}")
        return 0
    if opts.only:
        recorded = {n: c for n, c in recorded.items() if opts.only in n}
    current = run_all(cases, opts.jobs, order=recorded, keep=keep, fresh=opts.fresh)
    report = differences(recorded, current)
    print("\n".join(report))
    n = sum(1 for line in report if not line.startswith(" "))
    print(
        f"{len(current)} cases in {time.perf_counter() - start:.0f} s: {n} differ"
        if n
        else f"{len(current)} cases in {time.perf_counter() - start:.0f} s: all identical"
    )
    return 1 if n else 0


if __name__ == "__main__":
    sys.exit(main())
