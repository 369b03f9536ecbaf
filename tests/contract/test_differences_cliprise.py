"""Every difference between the studio's Cliprise catalog and the sandbox's reading is decided, with its doc line.

A new disagreement (a price, a field, an allowed value, a limit, a request model value) fails here and
names the doc line; deciding it means adding it to ``DECIDED`` in ``differences_cliprise.py`` with why, or
fixing the side that reads the doc wrong. A decision whose difference is gone fails too, so the list never
claims a disagreement that no longer exists.
"""

from __future__ import annotations

from tests.contract.differences_cliprise import DECIDED, differences
from tests.contract.doc import DocLine


def test_every_cliprise_difference_is_decided_and_names_its_doc_line():
    found = differences()
    undecided = [str(d) for d in found if (d.model, d.what) not in DECIDED]
    assert not undecided, "undecided differences:\n" + "\n".join(undecided)
    assert all(isinstance(d.doc, DocLine) or d.doc == "Model Catalog" for d in found)


def test_no_decision_is_kept_for_a_difference_that_is_gone():
    found = {(d.model, d.what) for d in differences()}
    stale = sorted(set(DECIDED) - found)
    assert not stale, f"decided differences that no longer exist (remove them): {stale}"
