"""Signed file links: one file a provider fetches from the studio without a session.

One mechanism for both kinds: an upload used as a source (``{"m": upload id}``, valid for a day) and an
earlier output used as a source (``{"g": generation id, "a": asset id}``, valid for a week). Every new
link is ``/files/<token>/<name>``; the name at the end matters because providers (and the pricing rules)
tell media kinds by extension. ``/media/source/<token>/<name>`` with its older token (the upload's id
alone, under its own salt) is still answered, for links already sent to providers.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.urls import Resolver404, resolve, reverse

from generations.models import Asset, SourceMedia

# The salt of the links to outputs from before there was one mechanism: kept, so those links still work.
SIGNED_FILE_SALT = "generations.shared-file"
MAX_AGE = {"m": 24 * 3600, "g": 7 * 24 * 3600}  # seconds, per kind
# The older upload links (``/media/source/…``): the upload's public id alone, under this salt.
LEGACY_MEDIA_SALT = "generations.source-media"

SignedFile = Asset | SourceMedia


def signed_file_token(file: SignedFile) -> str:
    """The token of a link to one upload or one output: what it is, and its id(s)."""
    if isinstance(file, SourceMedia):
        return signing.dumps({"m": file.public_id}, salt=SIGNED_FILE_SALT)
    return signing.dumps({"g": file.generation.public_id, "a": file.public_id}, salt=SIGNED_FILE_SALT)


def signed_file_name(file: SignedFile) -> str:
    """The name a link ends with (with the extension providers read the kind from)."""
    return file.file.name.rsplit("/", 1)[-1] if isinstance(file, SourceMedia) else file.filename


def signed_file_url(file: SignedFile, *, request: HttpRequest | None = None) -> str:
    """A link a provider can fetch without logging in: an upload for a day, an output for a week.

    On STUDIO_PUBLIC_URL; without one, on the host of ``request`` when there is one."""
    path = reverse(
        "generations:signed_file", kwargs={"token": signed_file_token(file), "filename": signed_file_name(file)}
    )
    base = settings.STUDIO_PUBLIC_URL
    return f"{base}{path}" if base or request is None else request.build_absolute_uri(path)


def _token_ids(token: str) -> dict | None:
    """What a token names, if it is genuine and within its kind's lifetime; None otherwise."""
    try:
        ids = signing.loads(token, salt=SIGNED_FILE_SALT, max_age=max(MAX_AGE.values()))
    except signing.BadSignature:
        try:  # a link from before there was one mechanism: /media/source/, an upload's id alone
            public_id = signing.loads(token, salt=LEGACY_MEDIA_SALT, max_age=MAX_AGE["m"])
        except signing.BadSignature:
            return None
        return {"m": public_id} if isinstance(public_id, str) else None
    if not isinstance(ids, dict):
        return None
    kind = "m" if "m" in ids else "g"
    if MAX_AGE[kind] < max(MAX_AGE.values()):
        try:  # the shorter lifetime of this kind (the signature is checked again with it)
            signing.loads(token, salt=SIGNED_FILE_SALT, max_age=MAX_AGE[kind])
        except signing.BadSignature:
            return None
    return ids


def signed_file(token: str, *, team=None) -> SignedFile | None:
    """The upload or output a link's token names (of ``team`` only, when given); None when there is none,
    the token is not genuine or it has expired. Outputs of deleted generations are gone."""
    ids = _token_ids(token)
    if ids is None:
        return None
    if "m" in ids:
        uploads = SourceMedia.objects.filter(public_id=ids["m"])
        return (uploads.filter(team=team) if team is not None else uploads).first()
    assets = Asset.objects.filter(
        public_id=ids.get("a"), generation__public_id=ids.get("g"), generation__deleted_at__isnull=True
    ).select_related("generation")
    return (assets.filter(generation__team=team) if team is not None else assets).first()


def signed_file_for_url(url: str, *, team) -> SignedFile | None:
    """The team's upload or output behind one of the studio's own signed file links, if ``url`` is one."""
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    if match.view_name not in ("generations:signed_file", "generations:signed_file_legacy"):
        return None
    file = signed_file(match.kwargs["token"], team=team)
    return file if file is not None and signed_file_name(file) == match.kwargs["filename"] else None
