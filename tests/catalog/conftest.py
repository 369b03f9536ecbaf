"""The whole catalog (all four providers' data files), loaded once per test module.

Loading ~240 offers takes a second or two, so it is done once for a module
and removed afterwards; each test still runs in its own rolled-back
transaction, so a test that switches a provider off leaves no trace.
"""

from __future__ import annotations

import pytest

from catalog.models import ModelFamily, Offer, Provider
from catalog.services import catalog_sync


@pytest.fixture(scope="module")
def full_catalog(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        catalog_sync()
    yield
    with django_db_blocker.unblock():
        Offer.objects.filter(generations__isnull=True).delete()
        ModelFamily.objects.filter(offers__isnull=True).delete()
        Provider.objects.filter(offers__isnull=True).delete()
