from django.core.management.base import BaseCommand, CommandError

from billing.selectors import wallet_drift


class Command(BaseCommand):
    help = "Recompute every wallet from its ledger entries and report any drift (exit 1 if any)."

    def handle(self, *args, **options) -> None:
        drift = wallet_drift()
        for row in drift:
            self.stdout.write(
                f"DRIFT {row['team']}: balance {row['stored_balance']} vs ledger {row['ledger_balance']}, "
                f"held {row['stored_held']} vs ledger {row['ledger_held']}"
            )
        if drift:
            raise CommandError(f"{len(drift)} wallet(s) drift from their ledger")
        self.stdout.write("billing_audit: every wallet equals the sum of its entries")
