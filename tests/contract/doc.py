"""Citing the providers' docs: a case in ``tests/contract/`` names the doc file and line it was taken from.

The docs are the sandbox's vendored copies (``sandbox/docs/``), byte for byte the providers' public pages.
Tests read them as text; nothing here belongs to the studio or to the sandbox.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DOCS = Path(__file__).resolve().parents[2] / "sandbox" / "docs"

KUBFLOW = "000_e61acbf41d7f583a.txt"
KUBEEZ_ACCOUNT = "001_95614ec8e7b09961.txt"
KUBEEZ = "002_62763f2508daa9e8.txt"
KREA = "003_1e7729bb5e0b9366.txt"
CLIPRISE = "004_fb39d99173eef484.txt"


@dataclass(frozen=True)
class DocLine:
    """One line of a provider's doc: where a case, a price or a refusal was read."""

    file: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.file[:3]} line {self.line}: {self.text.strip()[:160]}"


@cache
def lines(file: str) -> tuple[str, ...]:
    return tuple((DOCS / file).read_text(encoding="utf-8").splitlines())


def line(file: str, number: int) -> DocLine:
    """The doc's line ``number`` (1-based), as written."""
    return DocLine(file, number, lines(file)[number - 1])


def cite(file: str, needle: str, *, after: int = 0) -> DocLine:
    """The first line at or after line ``after`` that contains ``needle``; a needle the doc lacks fails loudly."""
    for number, text in enumerate(lines(file), start=1):
        if number >= after and needle in text:
            return DocLine(file, number, text)
    raise LookupError(f"{file}: no line contains {needle!r}")


@cache
def krea_openapi() -> dict[str, Any]:
    return json.loads((DOCS / KREA).read_text(encoding="utf-8"))


def krea_pointer(pointer: str) -> Any:
    """The value at a JSON pointer (RFC 6901) of Krea's OpenAPI file: Krea's doc is one line, so cases cite pointers."""
    node: Any = krea_openapi()
    for part in pointer.lstrip("/").split("/") if pointer.strip("/") else []:
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node


@dataclass(frozen=True)
class Difference:
    """Where the studio's catalog and the sandbox's reading disagree about one documented fact."""

    provider: str
    model: str
    what: str
    studio: Any
    sandbox: Any
    doc: DocLine | str

    def __str__(self) -> str:
        return (
            f"{self.provider} {self.model}: {self.what}: studio {self.studio!r}, sandbox {self.sandbox!r} ({self.doc})"
        )
