"""Settings for benchmarks/quote.py only: the studio's own settings, the benchmark URLs, and a count of the
SQL queries each response cost (header ``X-Queries``)."""

from project.settings import *  # noqa: F403
from project.settings import MIDDLEWARE

ROOT_URLCONF = "benchmarks.quote_urls"
MIDDLEWARE = ["benchmarks.querycount.QueryCountMiddleware", *MIDDLEWARE]
