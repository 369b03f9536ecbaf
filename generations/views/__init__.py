"""The generations pages, one module per concern; generations.urls names each view where it lives."""
