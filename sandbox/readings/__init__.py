"""The sandbox's own reading of each provider's docs (``sandbox/docs/``): models, prices, limits and refusals.

Written from the docs, never from the studio: nothing here imports the studio or reads ``catalog/data/``.
"""
