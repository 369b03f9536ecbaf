"""The sandbox is the remote provider, not a copy of the studio: it imports nothing of the studio and reads none of
``catalog/``, so a disagreement between the two readings of a doc is a failing test, never agreement by construction.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = ROOT / "sandbox"
STUDIO = {"accounts", "api", "billing", "catalog", "generations", "project", "tests", "manage", "django"}
MODULES = sorted(SANDBOX.rglob("*.py"))


def _imports(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in {
            "import_module",
            "__import__",
        }:
            found |= {arg.value.split(".")[0] for arg in node.args if isinstance(arg, ast.Constant)}
    return found


def _code_strings(tree: ast.AST) -> list[str]:
    """String constants that are not docstrings: what the code could use as a path."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


@pytest.mark.parametrize("module", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_sandbox_module_imports_the_studio_or_names_its_catalog(module: Path):
    tree = ast.parse(module.read_text(encoding="utf-8"))
    assert not (_imports(tree) & STUDIO), f"{module.name} imports {_imports(tree) & STUDIO}"
    paths = [s for s in _code_strings(tree) if "catalog/" in s or s == "catalog" or "catalog/data" in s]
    assert not paths, f"{module.name} names the studio's catalog: {paths}"


def test_the_sandbox_runs_from_a_copy_that_holds_only_the_sandbox(tmp_path):
    """Copied alone (with its vendored docs), every provider imports and reads its doc: nothing hidden is needed."""
    shutil.copytree(SANDBOX, tmp_path / "sandbox", ignore=shutil.ignore_patterns("__pycache__"))
    script = (
        "import sandbox.app, sandbox.kubflow, sandbox.kubeez, sandbox.krea, sandbox.cliprise\n"
        "import sandbox.readings.kubflow, sandbox.readings.kubeez, sandbox.readings.krea, sandbox.readings.cliprise\n"
        "import sys; print(sorted(m.split('.')[0] for m in sys.modules if m.split('.')[0] in "
        f"{sorted(STUDIO - {'django'})!r}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]", f"studio modules loaded: {result.stdout}"
