"""Two teams and every kind of person and object the access matrix and the fuzz test ask about.

Northwind holds the objects every URL names (a finished generation with a file, a board, an invite, an
uploaded source file, an API key, its members' memberships). Contoso is "the other team": its member
and its API key must find none of them. Everyone else comes from how the studio's pages are reached:
nobody signed in, a signed-in user in no team, one of the studio's staff (an operator with a personal
team of their own, never a member of Northwind).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Membership, Role, Team, User
from accounts.services import invite_create, membership_add, team_create, user_signup
from api.models import ApiSubmission
from api.services import api_key_create
from billing.services import credits_grant, member_limit_set, team_limits_set
from catalog.models import Offer
from generations.models import Asset, Batch, Board, Comparison, Generation
from generations.services.gallery import board_add, board_create
from generations.signed import LEGACY_MEDIA_SALT, signed_file_token
from generations.uploads import source_media_store
from tests.billing.helpers import hold_take
from tests.conftest import completed_generation_with_file
from tests.generations.media_files import png

# Northwind's words: no answer to anyone outside Northwind may contain them (staff pages excepted).
SECRET = "northwind-secret-prompt-7d1f"

ACTORS = (
    "anonymous",
    "no_team",
    "member",
    "admin",
    "owner",
    "staff",
    "other_team",
    "api_key",
    "other_api_key",
)
OUTSIDERS = frozenset({"anonymous", "no_team", "staff", "other_team", "other_api_key"})


@dataclass
class World:
    team: Team
    other_team: Team
    owner: User
    admin: User
    member: User
    staff: User
    stranger: User
    no_team: User
    owner_key: str
    stranger_key: str
    owner_key_id: str
    generation: Generation
    asset: Asset
    board: Board
    comparison_id: str
    batch_id: str
    invite_id: str
    invite_token: str
    member_membership: Membership
    family_slug: str
    offer: Offer
    legacy_source_token: str
    source_filename: str
    shared_token: str
    reset_uid: str
    reset_token: str

    def user(self, actor: str) -> User | None:
        return {
            "no_team": self.no_team,
            "member": self.member,
            "admin": self.admin,
            "owner": self.owner,
            "staff": self.staff,
            "other_team": self.stranger,
        }.get(actor)

    def team_of(self, actor: str) -> Team | None:
        if actor in {"member", "admin", "owner"}:
            return self.team
        if actor == "other_team":
            return self.other_team
        if actor == "staff":
            return Team.objects.get(memberships__user=self.staff, personal=True)
        return None

    def client(self, actor: str) -> Client:
        """A fresh client for ``actor``: a session of its own (web people) or an API key header (keys)."""
        headers = {}
        if actor == "api_key":
            headers = {"Authorization": f"Bearer {self.owner_key}"}
        elif actor == "other_api_key":
            headers = {"Authorization": f"Bearer {self.stranger_key}"}
        client = Client(raise_request_exception=False, headers=headers)
        user = self.user(actor)
        if user is not None:
            client.force_login(user)
            team = self.team_of(actor)
            if team is not None:
                session = client.session
                session["team_slug"] = team.slug
                session.save()
        return client


def world_build() -> World:
    """Both teams, their people and objects (the kubflow catalog must be synced, MEDIA_ROOT set)."""
    owner = user_signup(username="olivia", email="olivia@example.com", password="correct horse 1")
    team = team_create(name="Northwind", owner=owner, slug="northwind")
    admin = user_signup(username="ada", email="ada@example.com", password="correct horse 4")
    membership_add(team=team, user=admin, role=Role.ADMIN)
    member = user_signup(username="theo", email="theo@example.com", password="correct horse 2")
    member_membership = membership_add(team=team, user=member, role=Role.MEMBER)
    stranger = user_signup(username="sam", email="sam@example.com", password="correct horse 3")
    other_team = team_create(name="Contoso", owner=stranger, slug="contoso")
    staff = user_signup(username="stella", email="stella@example.com", password="correct horse 5")
    User.objects.filter(pk=staff.pk).update(is_staff=True, is_superuser=True)
    staff.refresh_from_db()
    no_team = User.objects.create_user(username="nadia", email="nadia@example.com", password="correct horse 6")
    for each in (team, other_team):
        credits_grant(team=each, amount=Decimal("500"), reason="access matrix credits")

    generation, asset = completed_generation_with_file(team=team, user=owner, prompt=SECRET)
    asset.thumbnail.save("x.jpg", ContentFile(b"jpeg"), save=True)
    Generation.objects.filter(pk=generation.pk).update(delivery_issues=[{"asked": "8 s", "got": "5 s"}])
    comparison = Comparison.objects.create(team=team, created_by=owner, prompt=SECRET)
    Generation.objects.filter(pk=generation.pk).update(comparison=comparison)
    batch = Batch.objects.create(
        team=team, created_by=owner, offer=generation.offer, prompt=SECRET, params=generation.params, count=1
    )
    Generation.objects.filter(pk=generation.pk).update(batch=batch, batch_index=0)
    board = board_create(team=team, user=owner, name="Northwind moodboard")
    board_add(board=board, generation=generation, user=owner)
    invite, invite_token = invite_create(team=team, actor=owner)
    owner_key = api_key_create(team=team, user=owner, name="northwind key")
    stranger_key = api_key_create(team=other_team, user=stranger, name="contoso key")
    media = source_media_store(
        team=team, user=owner, upload=SimpleUploadedFile("source.png", png(), content_type="image/png")
    )
    # one row of every model the admin lists, so each admin page has an object to open
    Group.objects.create(name="operators")
    hold_take(team=team, user=member, amount="4")
    team_limits_set(team=team, actor=owner, monthly_budget=Decimal("400"), alert_percent=80, low_balance=0)
    member_limit_set(membership=member_membership, actor=owner, monthly_limit=Decimal("50"))
    ApiSubmission.objects.create(
        generation=generation, api_key=owner_key.api_key, request_hash="0" * 64, base_url="http://testserver"
    )
    offer = generation.offer
    return World(
        team=team,
        other_team=other_team,
        owner=owner,
        admin=admin,
        member=member,
        staff=staff,
        stranger=stranger,
        no_team=no_team,
        owner_key=owner_key.key,
        stranger_key=stranger_key.key,
        owner_key_id=owner_key.api_key.public_id,
        generation=generation,
        asset=asset,
        board=board,
        comparison_id=comparison.public_id,
        batch_id=batch.public_id,
        invite_id=invite.public_id,
        invite_token=invite_token,
        member_membership=member_membership,
        family_slug=offer.family.slug,
        offer=offer,
        legacy_source_token=signing.dumps(media.public_id, salt=LEGACY_MEDIA_SALT),  # a /media/source/ link sent before
        source_filename=media.file.name.rsplit("/", 1)[-1],
        shared_token=signed_file_token(asset),
        reset_uid=urlsafe_base64_encode(force_bytes(owner.pk)),
        reset_token=default_token_generator.make_token(owner),
    )
