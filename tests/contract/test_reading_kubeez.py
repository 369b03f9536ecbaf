"""The sandbox's reading of Kubeez cites lines that say what it read there.

Each model's id line names the id, each price line carries the figure, each parameter's line (or the table
heading a few lines above it) names the parameter or one of its values, and each prompt limit is on its line.
A reading that drifts from its doc (a figure retyped, a line renumbered) fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from sandbox.readings import kubeez as reading
from tests.contract.doc import KUBEEZ, line

MODELS = list(reading.models().values())


def _near(number: int, *needles: str, above: int = 6) -> bool:
    texts = [line(KUBEEZ, n).text.lower() for n in range(max(1, number - above), number + 1)]
    return any(needle and needle.lower() in text for needle in needles for text in texts)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.id)
def test_each_fact_is_on_the_line_it_cites(model: reading.Model):
    assert model.id in line(KUBEEZ, model.doc["id"]).text
    price = model.price
    if price is None:
        text = line(KUBEEZ, model.doc["price"]).text.lower()
        assert any(word in text for word in ("pricing", "get_models", "rates")), text  # where it says no figure
    else:
        text = line(KUBEEZ, price.line).text
        figures = [price.flat, price.per_second, *price.tiers.values()]
        assert all(str(figure) in text for figure in figures if figure is not None), text
        if price.per_second_audio is not None:
            assert str(price.per_second_audio) in line(KUBEEZ, price.audio_line).text
        assert (price.row or model.id) in text if price.by is None else "gpt-image-2" in text
    for param in model.params:
        if param.name in {"generation_type", "source_media_urls"} or (param.name, param.max_length) == ("prompt", None):
            continue
        values = [str(choice) for choice in param.choices]
        if param.min is not None:
            values.append(f"{param.min:g}")
        if param.max_length is None or param.name != "prompt":  # a prompt limit's line is the limits table's row
            assert _near(param.line, param.name, param.name.replace("_", " "), *values), (model.id, param)
        if param.max_length is not None:
            assert (
                f"{param.max_length:,}" in line(KUBEEZ, param.line).text
                or str(param.max_length) in line(KUBEEZ, param.line).text
            ), (model.id, param)
    for generation_type, limits in model.inputs.items():
        assert 1 <= limits.line <= 338, (model.id, generation_type)


def test_every_documented_error_code_is_on_its_line():
    for code, number in {**reading.MEDIA_ERRORS, **reading.TRIM_ERRORS}.items():
        assert code in line(KUBEEZ, number).text, code


def test_the_reading_imports_nothing_of_the_studio_and_reads_no_catalog():
    for module in ("sandbox/readings/kubeez.py", "sandbox/kubeez.py"):
        source = (Path(__file__).resolve().parents[2] / module).read_text()
        imported = {
            node.module.split(".")[0] if isinstance(node, ast.ImportFrom) else alias.name.split(".")[0]
            for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.Import, ast.ImportFrom))
            for alias in node.names
        }
        assert not imported & {"accounts", "catalog", "billing", "generations", "api", "project"}, module
        assert "catalog/data" not in source and '"catalog"' not in source, module
