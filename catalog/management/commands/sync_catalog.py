from django.core.management.base import BaseCommand, CommandError

from catalog.datafile import provider_files_available
from catalog.live import ENDPOINTS, LiveSyncError
from catalog.services import catalog_sync, catalog_sync_live


class Command(BaseCommand):
    help = (
        "Load the provider catalog from catalog/data/*.json (idempotent). With --live, also read the "
        "models endpoints Kubflow and Kubeez document (settings.PROVIDERS base URLs) and apply what they list."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("providers", nargs="*", help="only these providers (default: all)")
        parser.add_argument(
            "--live",
            action="store_true",
            help=f"also read the providers' live model lists ({', '.join(ENDPOINTS)})",
        )

    def handle(self, *args, providers: list[str], live: bool, **options) -> None:
        unknown = sorted(set(providers) - set(provider_files_available()))
        if unknown:
            raise CommandError(
                f"no data file for {', '.join(unknown)} (known: {', '.join(provider_files_available())})"
            )
        counts = catalog_sync(providers=providers or None)
        for slug, count in counts.items():
            self.stdout.write(f"{slug}: {count} offers")
        if not live:
            return
        failed = []
        for slug in [p for p in (providers or ENDPOINTS) if p in ENDPOINTS]:
            try:
                report = catalog_sync_live(providers=[slug])[slug]
            except LiveSyncError as exc:
                failed.append(slug)
                self.stderr.write(f"{slug}: live sync failed: {exc}")
                continue
            self.stdout.write(
                f"{slug} live: {report.listed} listed, {len(report.hidden)} hidden (not listed), "
                f"{report.times} with a typical time, {len(report.priced_live)} priced from the live list"
            )
            for label, items in (
                ("hidden, not listed by the provider", report.hidden),
                ("listed but not documented (not added)", report.not_in_catalog),
                ("priced from the live list", report.priced_live),
                ("live price not used", report.not_applied),
                ("live price differs from the docs", report.price_differs),
            ):
                for item in items:
                    self.stdout.write(f"  {label}: {item}")
        if failed:
            raise CommandError(f"live sync failed for {', '.join(failed)}")
