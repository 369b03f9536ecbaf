"""Kubflow's two readings of 000 checked against each other and against the file.

Fails on a difference between ``catalog/data/kubflow.json`` and ``sandbox/readings/kubflow.py`` that nobody
decided (the message names the doc line), on a decision whose difference is gone, on a fact of the sandbox's
reading that its cited line no longer says, and on the Kubflow sandbox importing the studio or reading its
catalog. Pure: no database, no sandbox process.
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path

from sandbox.readings import kubflow as reading
from tests.contract.differences_kubflow import DECIDED, differences, studio_offers

ROOT = Path(__file__).resolve().parents[2]
STUDIO_PACKAGES = {"accounts", "catalog", "billing", "generations", "api", "project", "django"}


def test_every_difference_is_decided():
    undecided = [str(d) for d in differences() if (d.model, d.what) not in DECIDED]
    assert not undecided, "undecided differences:\n" + "\n".join(undecided)


def test_every_decision_is_about_a_difference_that_still_exists():
    found = {(d.model, d.what) for d in differences()}
    assert not set(DECIDED) - found, f"stale decisions: {sorted(set(DECIDED) - found)}"


def test_a_changed_price_or_a_missing_model_is_a_difference_naming_its_line():
    studio = copy.deepcopy(studio_offers())
    studio["gpt-image-2"]["pricing"] = {"flat": "11"}  # 000 line 11 says 12
    del studio["z-image"]
    found = {(d.model, d.what): d for d in differences(studio)}
    assert (found[("gpt-image-2", "price top")].studio, found[("gpt-image-2", "price top")].sandbox) == (11, 12)
    assert found[("gpt-image-2", "price top")].doc.line == 11
    assert found[("z-image", "listed")].doc.line == 24


def test_the_sandbox_reading_says_what_its_cited_lines_say():
    assert reading.problems() == []
    assert len(reading.models()) == 61  # "17 models" + "15" + "7" + "8" + "14" (lines 6, 26, 44, 54, 65)


def _sandbox_modules(name: str, seen: set[str]) -> set[str]:
    """``name`` and every sandbox module it imports, transitively."""
    if name in seen:
        return seen
    seen.add(name)
    source = (ROOT / Path(*name.split("."))).with_suffix(".py").read_text()
    for node in ast.walk(ast.parse(source)):
        imported = []
        if isinstance(node, ast.Import):
            imported = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for module in imported:
            root = module.split(".")[0]
            assert root not in STUDIO_PACKAGES, f"{name} imports {module}"
            if root == "sandbox" and (ROOT / Path(*module.split("."))).with_suffix(".py").exists():
                _sandbox_modules(module, seen)
    return seen


def test_the_kubflow_sandbox_imports_nothing_of_the_studio_and_reads_no_catalog():
    modules = _sandbox_modules("sandbox.kubflow", set())
    assert {"sandbox.kubflow", "sandbox.readings.kubflow", "sandbox.core"} <= modules
    for name in ("sandbox.kubflow", "sandbox.readings.kubflow"):
        code = (ROOT / Path(*name.split("."))).with_suffix(".py").read_text()
        tree = ast.parse(code)
        strings = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        assert not [s for s in strings if "catalog" in s and ("data" in s or s == "catalog")], name
