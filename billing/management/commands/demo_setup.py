from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Team, User
from accounts.services import team_create
from billing.services import credits_grant

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-studio-2026"
DEMO_TEAM = "demo-team"


class Command(BaseCommand):
    # In billing, not accounts: the team comes from accounts, the starting credits from billing (layers).
    help = "Create the demo team (with its starting credits) and its owner login, once."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        user = User.objects.filter(username=DEMO_USERNAME).first()
        if user is None:
            user = User.objects.create_user(DEMO_USERNAME, email="demo@studio.local", password=DEMO_PASSWORD)
        team = Team.objects.filter(slug=DEMO_TEAM).first()
        if team is None:
            team = team_create(name="Demo team", owner=user, slug=DEMO_TEAM)
        credits_grant(
            team=team,
            amount=Decimal(settings.STUDIO_DEMO_CREDITS),
            reason="Demo starting credits",
            idempotency_key=f"demo-grant:{team.public_id}",
        )
        self.stdout.write(f"login: {DEMO_USERNAME} / {DEMO_PASSWORD}  (team {team.name})")
