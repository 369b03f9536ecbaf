from django.core.management.base import BaseCommand, CommandError

from billing.selectors import holds_unbalanced, wallet_drift


class Command(BaseCommand):
    help = (
        "Recompute every wallet from its ledger entries and open holds, and every hold from its entries; "
        "report any drift (exit 1 if any)."
    )

    def handle(self, *args, **options) -> None:
        drift = wallet_drift()
        for row in drift:
            self.stdout.write(
                f"DRIFT {row['team']}: balance {row['stored_balance']} vs ledger {row['ledger_balance']}, "
                f"held {row['stored_held']} vs ledger {row['ledger_held']} vs open holds {row['open_holds']}"
            )
        holds = holds_unbalanced()
        for row in holds:
            self.stdout.write(
                f"HOLD {row['public_id']} ({row['state']}, amount {row['amount']}): its entries net to {row['net']}"
            )
        if drift or holds:
            raise CommandError(f"{len(drift)} wallet(s) and {len(holds)} hold(s) drift from their ledger")
        self.stdout.write("billing_audit: every wallet equals the sum of its entries")
