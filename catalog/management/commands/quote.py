"""``manage.py quote PROVIDER MODEL key=value ...``: the studio's price for one request.

Prints one JSON object, ``{"provider", "model", "provider_cost", "unit",
"credits", "breakdown"}``, and exits 0; a request the provider would refuse
prints ``{"error", "message", ...details}`` and exits 2. Values are parsed as
JSON when they are valid JSON (``duration=5``, ``sound=true``,
``image_urls='["https://..."]'``), else taken as strings (``aspect_ratio=16:9``).
"""

import json
import sys

from django.core.management.base import BaseCommand

from catalog.pricing import QuoteError
from catalog.selectors import offers_named
from catalog.services import price_quote


def _parse_value(raw: str):
    try:
        return json.loads(raw)
    except ValueError:
        return raw


class Command(BaseCommand):
    help = "Price a request: quote PROVIDER MODEL key=value ... (prints one JSON object)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("provider")
        parser.add_argument("model")
        parser.add_argument("params", nargs="*", metavar="key=value")

    def handle(self, *args, provider: str, model: str, params: list[str], **options) -> None:
        values = {}
        for item in params:
            key, sep, raw = item.partition("=")
            if not sep or not key:
                self._fail({"error": "invalid_params", "message": f"expected key=value, got {item!r}"})
            if key in values:
                self._fail({"error": "invalid_params", "message": f"{key} given twice", "field": key})
            values[key] = _parse_value(raw)
        try:
            offer = offers_named(name=model, provider=provider)[0]
            quote = price_quote(offer=offer, params=values)
        except QuoteError as exc:
            self._fail(exc.as_dict())
        self.stdout.write(json.dumps(quote.as_dict()))

    def _fail(self, payload: dict) -> None:
        self.stdout.write(json.dumps(payload, default=str))
        sys.exit(2)
