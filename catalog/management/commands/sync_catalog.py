from django.core.management.base import BaseCommand

from catalog.services import catalog_sync


class Command(BaseCommand):
    help = "Load the provider catalog from catalog/data/*.json (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("providers", nargs="*", help="only these providers (default: all)")

    def handle(self, *args, providers: list[str], **options) -> None:
        counts = catalog_sync(providers=providers or None)
        for slug, count in counts.items():
            self.stdout.write(f"{slug}: {count} offers")
