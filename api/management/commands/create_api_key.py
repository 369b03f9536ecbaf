from django.core.management.base import BaseCommand, CommandError

from accounts.models import Team, User
from api.services import KeyRefused, api_key_create


class Command(BaseCommand):
    help = "Create an API key acting as USERNAME in --team, and print it (once) on standard output."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--team", required=True, help="the team's slug")
        parser.add_argument("--name", default="Command-line key")

    def handle(self, *args, username: str, team: str, name: str, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}")
        found = Team.objects.filter(slug=team).first()
        if found is None:
            raise CommandError(f"No team {team!r}")
        try:
            new_key = api_key_create(team=found, user=user, name=name)
        except KeyRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(new_key.key)
        self.stderr.write(
            f"Key {new_key.api_key.prefix}… “{new_key.api_key.name}” acts as {user.username} in {found.name}.\n"
            f"Callback signing secret: {new_key.api_key.callback_secret}"
        )
