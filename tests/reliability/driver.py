"""Drives the studio's own services in a separate process, against a fault-drill
stack (see harness.py): ``python -m tests.reliability.driver setup|submit|enqueue|report``.
Prints one JSON object on its last line."""

from __future__ import annotations

import json
import sys
from decimal import Decimal


def main(argv: list[str]) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    from accounts.models import Team, User
    from accounts.services import team_create
    from billing.models import Hold, HoldState, LedgerEntry
    from billing.selectors import wallet_drift
    from billing.services import credits_grant
    from catalog.models import Offer
    from catalog.services import catalog_sync
    from generations.models import FINAL_STATUSES, Generation
    from generations.services.submission import generation_submit
    from generations.tasks import generation_advance_task

    command, args = argv[0], argv[1:]
    if command == "setup":
        call_command("migrate", verbosity=0, interactive=False)
        catalog_sync(providers=["kubflow"])
        user = User.objects.create_user("drill", email="drill@example.com", password="drill-password-1")
        team = team_create(name="Drill", owner=user, slug="drill")
        credits_grant(team=team, amount=Decimal("1000"), reason="drill credits")
        return {"ok": True}
    team = Team.objects.get(slug="drill")
    if command == "users":
        from accounts.services import membership_add

        prefix, count = args[0], int(args[1])
        for index in range(count):
            member = User.objects.create_user(
                f"{prefix}{index}", email=f"{prefix}{index}@example.com", password="load-password-1"
            )
            membership_add(team=team, user=member)
        return {"users": count}
    if command == "submit":
        offer = Offer.objects.select_related("provider").get(provider__slug="kubflow", model_id="nano-banana")
        user = User.objects.get(username="drill")
        ids = [
            generation_submit(team=team, user=user, offer=offer, params={"prompt": prompt}).public_id for prompt in args
        ]
        return {"ids": ids}
    if command == "enqueue":
        public_id, times = args[0], int(args[1])
        for _ in range(times):
            generation_advance_task.delay(public_id)
        return {"enqueued": times}
    if command == "markup":  # staff change a provider's markup (catalog.services, as the staff page does)
        from catalog.models import Provider
        from catalog.services import provider_pricing_set

        provider = Provider.objects.get(slug=args[0])
        provider_pricing_set(
            provider=provider,
            actor=User.objects.get(username="drill"),
            credit_rate=provider.credit_rate,
            markup=Decimal(args[1]),
            enabled=True,
        )
        return {"markup": args[1]}
    if command == "assets":
        from generations.models import Asset

        rows = Asset.objects.filter(generation__public_id__in=args).values_list("file", "thumbnail")
        return {"names": [name for row in rows for name in row if name]}
    if command == "report":
        generations = {}
        for generation in Generation.objects.filter(public_id__in=args):
            hold = Hold.objects.filter(generation=generation).first()
            generations[generation.public_id] = {
                "status": generation.status,
                "final": generation.status in FINAL_STATUSES,
                "error_code": generation.error_code,
                "credits_charged": str(generation.credits_charged),
                "entries": list(
                    LedgerEntry.objects.filter(generation=generation).order_by("id").values_list("kind", flat=True)
                ),
                "hold_state": hold.state if hold else None,
                "assets": generation.assets.count(),
                "prompt": generation.prompt,
            }
        return {
            "generations": generations,
            "drift": [{k: str(v) for k, v in row.items()} for row in wallet_drift()],
            "open_holds": Hold.objects.filter(state=HoldState.OPEN, wallet__team=team).count(),
        }
    raise SystemExit(f"unknown command {command}")


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
