"""Every difference between the studio's Krea catalog and the sandbox's reading of 003 has been looked at.

A new disagreement (a field, a default, a price row, a doc conflict) fails here with its JSON pointer until
it is fixed on one side or decided in ``tests/contract/differences_krea.py``'s ``DECIDED``.
"""

from __future__ import annotations

from tests.contract.differences_krea import DECIDED, differences
from tests.contract.doc import krea_pointer


def test_every_difference_is_decided():
    undecided = [str(difference) for difference in differences() if (difference.model, difference.what) not in DECIDED]
    assert undecided == [], "\n".join(undecided)


def test_every_decision_still_has_its_difference():
    """A decision whose difference went away (fixed on one side) is removed, so DECIDED stays true."""
    found = {(difference.model, difference.what) for difference in differences()}
    assert sorted(set(DECIDED) - found) == []


def test_every_difference_cites_a_pointer_of_the_doc():
    for difference in differences():
        where = str(difference.doc).removeprefix("003 ").split(" ", 1)[0]
        assert krea_pointer(where) is not None, difference
