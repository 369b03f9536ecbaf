"""Every difference between the studio's Kubeez catalog and the sandbox's reading has been looked at.

A new disagreement (a price, a limit, a model, a parameter) fails here with its doc line; a decided one that no
longer occurs fails too, so ``DECIDED`` never keeps a stale excuse.
"""

from __future__ import annotations

from tests.contract.differences import provider_differences
from tests.contract.doc import DocLine, lines


def test_every_kubeez_difference_is_decided():
    found, decided = provider_differences("kubeez")
    undecided = [str(difference) for difference in found if (difference.model, difference.what) not in decided]
    assert not undecided, "undecided differences:\n" + "\n".join(undecided)


def test_no_decision_is_stale():
    found, decided = provider_differences("kubeez")
    seen = {(difference.model, difference.what) for difference in found}
    assert set(decided) <= seen, f"decided but no longer found: {sorted(set(decided) - seen)}"


def test_each_difference_names_a_real_doc_line():
    found, _ = provider_differences("kubeez")
    for difference in found:
        assert isinstance(difference.doc, DocLine), difference
        assert lines(difference.doc.file)[difference.doc.line - 1] == difference.doc.text
