"""Settings for benchmarks/gallery.py only: the studio's own settings, plus a trivial view to compare with and
a count of the SQL queries each response cost (header ``X-Queries``)."""

from project.settings import *  # noqa: F403
from project.settings import MIDDLEWARE

ROOT_URLCONF = "benchmarks.gallery_urls"
MIDDLEWARE = ["benchmarks.querycount.QueryCountMiddleware", *MIDDLEWARE]
