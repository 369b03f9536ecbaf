import json
import sys

from django.core.management.base import BaseCommand

from catalog.pricing import QuoteError
from catalog.services import offer_resolve, price_quote


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
            values[key] = _parse_value(raw)
        try:
            offer = offer_resolve(provider_slug=provider, model_id=model)
            quote = price_quote(offer=offer, params=values)
        except QuoteError as exc:
            self._fail(exc.as_dict())
        self.stdout.write(json.dumps(quote.as_dict()))

    def _fail(self, payload: dict) -> None:
        self.stdout.write(json.dumps(payload, default=str))
        sys.exit(2)
