"""Every difference between the studio's catalog, the sandbox's reading and the docs: ``make doc-diff``.

Each provider has a module ``tests/contract/differences_<provider>.py`` with ``differences() -> list[Difference]``
(the studio's ``catalog/data/<provider>.json`` against ``sandbox/readings/<provider>.py``, each fact with the
doc line it comes from) and ``DECIDED``: the differences looked at, each with what was decided and why.
``test_differences.py`` fails on any difference that is not decided, so a new disagreement names its doc line.
"""

from __future__ import annotations

import importlib
import sys

from tests.contract.doc import Difference

PROVIDERS = ("kubflow", "kubeez", "krea", "cliprise")


def provider_differences(provider: str) -> tuple[list[Difference], dict[tuple[str, str], str]]:
    module = importlib.import_module(f"tests.contract.differences_{provider}")
    return module.differences(), dict(getattr(module, "DECIDED", {}))


def main() -> int:
    import django

    django.setup()
    undecided = 0
    for provider in PROVIDERS:
        try:
            found, decided = provider_differences(provider)
        except ModuleNotFoundError:
            print(f"{provider}: no reading compared yet")
            continue
        print(f"{provider}: {len(found)} difference(s)")
        for difference in found:
            decision = decided.get((difference.model, difference.what))
            undecided += decision is None
            print(f"  {difference}")
            print(f"    decided: {decision}" if decision else "    NOT DECIDED")
    return 1 if undecided else 0


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    sys.exit(main())
