"""The methods paragraphs' building blocks, and the flag meanings beside every protocol's flag codes.

The flag test reads two things from the source, independently of ``FLAG_MEANINGS``: the codes each flags
module documents in its docstring table, and the codes the code can put in a ``flags`` cell (found on the
syntax tree: the ``(code, mask)`` checks, ``flags.append(...)``, the ``np.where`` of the activity calls,
the lists the assays' ``*_flags`` functions return, ``"not_fitted: ..."``-style f-strings). Every one must
have a meaning, and every meaning must be a code that can be emitted.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from assaykit import methods
from assaykit.binding import flags as binding_flags
from assaykit.epm import endpoints as epm_endpoints
from assaykit.flag_text import explain_flags, split_flags
from assaykit.ldb import endpoints as ldb_endpoints
from assaykit.methods import REFERENCES, MethodsText, Sentence, compose, join_words, number, percent
from assaykit.saturation import flags as saturation_flags
from assaykit.stats import comparison_rows
from assaykit.tracking import tables as tracking_tables

SRC = Path(__file__).resolve().parents[1] / "src" / "assaykit"

# ---------------------------------------------------------------------------------------------- compose


def test_compose_cites_each_reference_once_in_order_of_first_citation() -> None:
    text = compose(
        [
            Sentence("fits used Ki = IC50/(1 + [L]/Kd)", ("cheng1973",)),
            None,
            Sentence("outliers by ROUT {cite}, then refitted", ("motulsky2006", "cheng1973")),
        ]
    )
    assert isinstance(text, MethodsText)
    assert text.paragraph == (
        "Fits used Ki = IC50/(1 + [L]/Kd) (Cheng & Prusoff 1973). "
        "Outliers by ROUT (Motulsky & Brown 2006; Cheng & Prusoff 1973), then refitted."
    )
    assert text.references == (REFERENCES["cheng1973"].full, REFERENCES["motulsky2006"].full)


def test_compose_refuses_an_unknown_reference() -> None:
    with pytest.raises(KeyError, match="nobody2020"):
        compose([Sentence("x", ("nobody2020",))])


def test_every_reference_is_a_full_citation() -> None:
    for key, ref in REFERENCES.items():
        year = re.search(r"\d{4}", key)
        assert year is not None and f"({year.group()})" in ref.full, key
        assert ref.short.endswith(year.group()), key
        # authors, year, title, then journal or publisher; a DOI where the work has one
        assert ref.full.count(". ") >= 2, key
        doi = re.search(r"doi:(\S+)", ref.full)
        assert doi is None or re.fullmatch(r"10\.\d{4,5}/\S+[^.]", doi.group(1)), key


@pytest.mark.parametrize(
    ("items", "expected"), [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")]
)
def test_join_words(items: list[str], expected: str) -> None:
    assert join_words(items) == expected


def test_numbers_are_written_as_a_person_would() -> None:
    assert (number(1.0), number(1.5), number(0.05), number(2e-5)) == ("1", "1.5", "0.05", "2e-05")
    assert (percent(0.95), percent(0.9)) == ("95%", "90%")


# ---------------------------------------------------------------------------------------------- flags


def test_split_flags_keeps_a_detail_with_its_own_semicolons() -> None:
    known = binding_flags.FLAG_MEANINGS
    assert split_flags("ambiguous;not_converged: stopped: a; b", known) == [
        ("ambiguous", ""),
        ("not_converged", "stopped: a; b"),
    ]
    assert split_flags("not_fitted: two points;ambiguous", known) == [
        ("not_fitted", "two points"),
        ("ambiguous", ""),
    ]
    assert split_flags("", known) == split_flags(None, known) == split_flags(float("nan"), known) == []


def test_explain_flags_gives_each_code_its_sentence_and_detail() -> None:
    explained = explain_flags(
        "ambiguous;not_converged: stopped: log IC50 beyond the range", binding_flags.FLAG_MEANINGS
    )
    assert [code for code, _ in explained] == ["ambiguous", "not_converged"]
    assert explained[0][1] == binding_flags.FLAG_MEANINGS["ambiguous"]
    assert explained[1][1].endswith("Reason given: stopped: log IC50 beyond the range.")
    # a pattern key covers its family; an unknown code is said to be unknown, not dropped
    assert (
        explain_flags("start_not_center", epm_endpoints.FLAG_MEANINGS)[0][1]
        == tracking_tables.FLAG_MEANINGS["start_not_*"]
    )
    assert "no recorded explanation" in explain_flags("mystery", binding_flags.FLAG_MEANINGS)[0][1]
    assert methods.explain_flags is explain_flags


def _documented(module: object) -> set[str]:
    """The codes of a flags module's docstring table (its first column), without their ``: <why>``."""
    doc = module.__doc__ or ""
    return {m.split(":")[0] for m in re.findall(r"^``([^`]+)``\s{2,}", doc, flags=re.MULTILINE)}


def _prefix(node: ast.AST, patterns: bool = False) -> str | None:
    """The code an f-string starts with: ``f"not_fitted: {why}"`` -> ``not_fitted``.

    With ``patterns``, ``f"start_not_{zone}"`` -> ``start_not_*`` too.
    """
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
        head = str(node.values[0].value)
        if re.fullmatch(r"[a-z][a-z_]*: ", head):
            return head[:-2]
        if patterns and re.fullmatch(r"[a-z][a-z_]*_", head):
            return head + "*"
    return None


def _values(expr: ast.AST, constants: dict[str, str]) -> set[str]:
    """The strings an expression can evaluate to, as far as a flags cell goes."""
    if isinstance(expr, ast.Constant):
        return {expr.value} if isinstance(expr.value, str) else set()
    if isinstance(expr, ast.Name):
        return {constants[expr.id]} if expr.id in constants else set()
    if isinstance(expr, ast.JoinedStr):
        code = _prefix(expr)
        return {code} if code else set()
    if isinstance(expr, ast.List | ast.Tuple | ast.Set):
        return set().union(*(_values(e, constants) for e in expr.elts))
    if isinstance(expr, ast.IfExp):
        return _values(expr.body, constants) | _values(expr.orelse, constants)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute):
        if expr.func.attr == "where":
            return set().union(*(_values(a, constants) for a in expr.args[1:]))
        if expr.func.attr in ("join", "fromkeys"):
            return set().union(*(_values(a, constants) for a in expr.args))
        if expr.func.attr == "astype":
            return _values(expr.func.value, constants)
    return set()


def _emitted(*paths: Path) -> set[str]:
    """The flag codes the code of these modules can write (see the module docstring)."""
    found: set[str] = set()
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            t.id: n.value.value
            for n in tree.body
            if isinstance(n, ast.Assign)
            and isinstance(n.value, ast.Constant)
            and isinstance(n.value.value, str)
            for t in n.targets
            if isinstance(t, ast.Name)
        }

        for node in ast.walk(tree):
            if isinstance(node, ast.List):  # the (code, mask) checks
                for elt in node.elts:
                    if (
                        isinstance(elt, ast.Tuple)
                        and len(elt.elts) == 2
                        and isinstance(elt.elts[0], ast.Constant)
                        and isinstance(elt.elts[0].value, str)
                        and not isinstance(elt.elts[1], ast.Constant)
                    ):
                        found.add(elt.elts[0].value)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr == "append" and "flag" in ast.unparse(node.func.value):
                    for arg in node.args:
                        found |= _values(arg, constants)
                        code = _prefix(arg, patterns=True)
                        found |= {code} if code else set()
            elif isinstance(node, ast.JoinedStr):
                code = _prefix(node)
                found |= {code} if code else set()
            elif isinstance(node, ast.Assign) and any(
                re.search(r"flags|why", ast.unparse(t)) for t in node.targets
            ):
                found |= _values(node.value, constants)
            elif isinstance(node, ast.FunctionDef) and node.name.endswith("flags"):
                for sub in ast.walk(node):
                    if isinstance(sub, ast.Return) and sub.value is not None:
                        found |= _values(sub.value, constants)
    return {f for f in found if re.fullmatch(r"[a-z][a-z0-9_.]*[a-z0-9*]", f)}


CASES = {
    "binding": (binding_flags, ("binding/flags.py", "binding/rows.py", "binding/activity.py")),
    "saturation": (saturation_flags, ("saturation/flags.py", "saturation/analysis.py")),
    "epm": (epm_endpoints, ("tracking/tables.py", "epm/endpoints.py")),
    "ldb": (ldb_endpoints, ("tracking/tables.py", "ldb/endpoints.py")),
    "stats": (comparison_rows, ("stats/comparison_rows.py", "stats/latency_headline.py")),
}


@pytest.mark.parametrize("protocol", list(CASES))
def test_every_flag_code_has_a_meaning_and_every_meaning_a_code(protocol: str) -> None:
    module, sources = CASES[protocol]
    meanings = module.FLAG_MEANINGS
    emitted = _emitted(*(SRC / s for s in sources))
    assert emitted, "the emitting code was not found: the test would pass vacuously"
    assert emitted == set(meanings), (
        f"codes without a meaning: {sorted(emitted - set(meanings))}; "
        f"meanings of codes never emitted: {sorted(set(meanings) - emitted)}"
    )
    for code, sentence in meanings.items():
        assert sentence[0].isupper() and sentence.endswith("."), code
        assert len(sentence) < 200 and sentence.count(". ") <= 1, f"{code}: one plain sentence"


@pytest.mark.parametrize("module", [binding_flags, saturation_flags])
def test_every_documented_code_has_a_meaning(module: object) -> None:
    documented = _documented(module)
    assert len(documented) >= 8
    assert documented == set(module.FLAG_MEANINGS)


def test_the_emitted_codes_are_found_on_a_flags_module_that_emits_more() -> None:
    """The finder of emitted codes sees a new check: the equality above could fail."""
    tree = 'checks = [("new_code", mask)]\nflags.append(f"late_{x}")\nrow["flags"] = f"odd: {y}"\n'
    path = Path(__file__).parent / "_emitted_probe.py"
    try:
        path.write_text(tree, encoding="utf-8")
        assert _emitted(path) == {"new_code", "late_*", "odd"}
    finally:
        path.unlink()
