"""Reading and checking the provider data files in catalog/data/ (see SCHEMA.md).

Pure Python: ``python -m catalog.datafile catalog/data/kubflow.json`` checks a
file without Django or a database.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from catalog.pricing import QuoteError, measures_problems, offer_check, offer_price

DATA_DIR = Path(__file__).resolve().parent / "data"
PROVIDERS = ("kubflow", "kubeez", "krea", "cliprise")
CATEGORIES = {"image", "video", "audio", "text", "utility"}
OUTPUTS = {"image", "video", "audio", "text"}
FIELD_TYPES = {"text", "string", "enum", "integer", "number", "boolean", "media", "json"}
SHARED = {
    "prompt",
    "negative_prompt",
    "aspect_ratio",
    "resolution",
    "duration",
    "sound",
    "seed",
    "source_images",
    "source_videos",
    "source_audio",
}


def provider_file_load(provider: str) -> dict[str, Any]:
    return json.loads((DATA_DIR / f"{provider}.json").read_text())


def provider_files_available() -> list[str]:
    return [p for p in PROVIDERS if (DATA_DIR / f"{p}.json").exists()]


def provider_data_problems(data: dict[str, Any]) -> list[str]:
    """Everything wrong with a provider file's shape; an empty list when it is sound."""
    problems: list[str] = []
    for key in ("provider", "name", "unit", "offers"):
        if key not in data:
            problems.append(f"missing top-level key {key!r}")
    ids: set[str] = set()
    for offer in data.get("offers", []):
        where = f"offer {offer.get('id')!r}"
        for key in ("id", "name", "family", "category", "output", "fields", "pricing"):
            if key not in offer:
                problems.append(f"{where}: missing {key!r}")
        if offer.get("id") in ids:
            problems.append(f"{where}: duplicate id")
        ids.add(offer.get("id"))
        if offer.get("category") not in CATEGORIES:
            problems.append(f"{where}: category {offer.get('category')!r}")
        if offer.get("output") not in OUTPUTS:
            problems.append(f"{where}: output {offer.get('output')!r}")
        names: set[str] = set()
        for spec in offer.get("fields", []):
            if spec.get("type") not in FIELD_TYPES:
                problems.append(f"{where}: field {spec.get('name')!r} type {spec.get('type')!r}")
            if spec.get("shared") and spec["shared"] not in SHARED:
                problems.append(f"{where}: field {spec.get('name')!r} shared {spec['shared']!r}")
            if spec.get("type") == "enum" and not spec.get("choices"):
                problems.append(f"{where}: enum {spec.get('name')!r} without choices")
            if spec.get("name") in names:
                problems.append(f"{where}: field {spec.get('name')!r} twice")
            names.add(spec.get("name"))
        problems += [f"{where}: {problem}" for problem in measures_problems(offer)]
        if "pricing" in offer and "fields" in offer:
            try:
                params = offer_check(offer, {})
                offer_price(offer, params, data.get("unit", "credits"))
            except QuoteError as exc:
                # A default request may legitimately need input (a required
                # prompt or image); anything else is a data error.
                needs_input = exc.code == "invalid_params" and "required" in exc.message
                if not needs_input and not offer.get("defaults_incomplete"):
                    problems.append(f"{where}: default request refused: {exc.as_dict()}")
            except (KeyError, ValueError, TypeError) as exc:
                problems.append(f"{where}: pricing/rules broken: {exc!r}")
    for family in data.get("family_labels", []):
        for variant in family.get("variants", []):
            if variant not in ids:
                problems.append(f"family label {family.get('label')!r}: unknown variant {variant!r}")
    return problems


if __name__ == "__main__":
    paths = sys.argv[1:] or [str(DATA_DIR / f"{p}.json") for p in provider_files_available()]
    failed = False
    for path in paths:
        data = json.loads(Path(path).read_text())
        problems = provider_data_problems(data)
        print(f"{path}: {len(data.get('offers', []))} offers, {len(problems)} problem(s)")
        for problem in problems:
            print("  -", problem)
        failed = failed or bool(problems)
    sys.exit(1 if failed else 0)
