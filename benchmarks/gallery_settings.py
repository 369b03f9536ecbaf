"""Settings for benchmarks/gallery.py only: the studio's own settings, plus a trivial view to compare with."""

from project.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.gallery_urls"
