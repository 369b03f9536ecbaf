"""Source media: files users upload to start a generation from, and the URLs they give.

Uploads are checked by their bytes (never their name or declared type), with a
size cap per kind and a refusal of decompression bombs, then kept in the
studio's storage. A request's media field refers to an upload as
``media://<public id>.<ext>``; when the job is sent, the provider gets the file
the documented way (Kubeez's upload endpoint, Krea's assets, or a signed studio
URL for providers that fetch by URL). URLs users give are checked before
anything is created (see :func:`source_urls_check`).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from catalog.pricing import QuoteError
from generations.mediainfo import MediaError, media_probe
from generations.models import SourceMedia
from generations.outbound.rules import UnsafeURLError, url_check
from generations.providers.base import LocalMedia
from generations.signed import signed_file_for_url, signed_file_url
from project.storage import presigned_url

MEDIA_SCHEME = "media://"
LIMITS = {  # bytes, and the content types accepted, per kind
    "image": (10 * 1024 * 1024, {"image/jpeg", "image/png", "image/webp"}),
    "video": (100 * 1024 * 1024, {"video/mp4", "video/webm", "video/quicktime"}),
    "audio": (50 * 1024 * 1024, {"audio/mpeg", "audio/wav", "audio/mp4"}),
}
MAX_UPLOAD = max(limit for limit, _ in LIMITS.values())


class UploadError(ValueError):
    code = "invalid_upload"


def source_media_store(*, team, user, upload: UploadedFile, kinds: list[str] | None = None) -> SourceMedia:
    """Check an uploaded file by content and keep it. Raises UploadError with a message for the user."""
    if upload.size > MAX_UPLOAD:
        raise UploadError(f"{upload.name} is too large ({upload.size // (1024 * 1024)} MB).")
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(delete=False) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
            digest.update(chunk)
        path = handle.name
    try:
        existing = SourceMedia.objects.filter(team=team, sha256=digest.hexdigest()).first()
        if existing and (not kinds or existing.kind in kinds):
            return existing
        try:
            info = media_probe(path)
        except MediaError as exc:
            raise UploadError(f"{upload.name}: {exc}") from exc
        limit, types = LIMITS[info.kind]
        if kinds and info.kind not in kinds:
            raise UploadError(f"{upload.name} is {info.kind}; this field takes {' or '.join(kinds)}.")
        if info.content_type not in types:
            raise UploadError(f"{upload.name}: {info.content_type} is not accepted for {info.kind}.")
        size = os.path.getsize(path)
        if size > limit:
            raise UploadError(f"{upload.name} is larger than {limit // (1024 * 1024)} MB, the limit for {info.kind}.")
        media = SourceMedia(
            team=team,
            uploaded_by=user,
            kind=info.kind,
            content_type=info.content_type,
            size=size,
            width=info.width,
            height=info.height,
            duration=info.duration,
            original_name=os.path.basename(upload.name or "upload")[:200],
            sha256=digest.hexdigest(),
        )
        with open(path, "rb") as stored:
            media.file.save(f"{media.public_id}.{info.extension}", File(stored), save=False)
        try:
            with transaction.atomic():
                media.save()
        except IntegrityError:  # the same file, uploaded at the same moment by a double click
            media.file.delete(save=False)
            return SourceMedia.objects.get(team=team, sha256=digest.hexdigest())
        return media
    finally:
        os.unlink(path)


def media_reference(media: SourceMedia) -> str:
    """How a request refers to an upload: the scheme, its id, and its extension (pricing reads kinds by extension)."""
    return f"{MEDIA_SCHEME}{media.public_id}.{media.file.name.rsplit('.', 1)[-1]}"


def _reference_id(value: str) -> str:
    return value[len(MEDIA_SCHEME) :].rsplit(".", 1)[0]


def _studio_link(url: str, team) -> bool:
    """True for the studio's own signed link to one of the team's files (an output used as source, or an
    upload): the provider fetches it from the studio, and the studio itself fetches nothing, so the address
    rules don't apply."""
    public = urlsplit(settings.STUDIO_PUBLIC_URL)
    parts = urlsplit(url)
    return (
        bool(public.netloc)
        and (parts.scheme, parts.netloc) == (public.scheme, public.netloc)
        and (signed_file_for_url(url, team=team) is not None)
    )


def source_urls_check(*, spec: dict[str, Any], params: dict[str, Any], team) -> None:
    """Refuse unsafe URLs and foreign uploads in media fields, before anything is created."""
    allow = frozenset(settings.OUTBOUND_URL_ALLOWLIST)
    for field in spec.get("fields", []):
        if field["type"] != "media":
            continue
        for value in params.get(field["name"]) or []:
            if value.startswith(MEDIA_SCHEME):
                if not SourceMedia.objects.filter(team=team, public_id=_reference_id(value)).exists():
                    raise QuoteError("invalid_params", "That uploaded file does not exist.", field=field["name"])
                continue
            if _studio_link(value, team):
                continue
            try:
                url_check(value, allow_hosts=allow)
            except UnsafeURLError as exc:
                raise QuoteError(exc.code, exc.message, field=field["name"]) from exc


def provider_url(media: SourceMedia) -> str:
    """Where a provider fetches an upload: a presigned link to the object with a short expiry on object
    storage (the bucket stays private), the studio's signed link (generations/signed.py) on the filesystem."""
    presigned = presigned_url(
        media.file,
        seconds=settings.STORAGE_SOURCE_URL_SECONDS,
        filename=media.file.name.rsplit("/", 1)[-1],
        content_type=media.content_type,
    )
    return presigned or signed_file_url(media)


def uploads_for_request(*, spec: dict[str, Any], params: dict[str, Any]) -> tuple[dict, dict[str, list[LocalMedia]]]:
    """Split a job's media fields into URLs to pass on and studio uploads to hand over."""
    params = dict(params)
    uploads: dict[str, list[LocalMedia]] = {}
    for field in spec.get("fields", []):
        values = params.get(field["name"])
        if field["type"] != "media" or not values:
            continue
        references = [v for v in values if v.startswith(MEDIA_SCHEME)]
        if not references:
            continue
        found = {m.public_id: m for m in SourceMedia.objects.filter(public_id__in=map(_reference_id, references))}
        local = {
            ref: LocalMedia(
                path="",
                storage_name=found[_reference_id(ref)].file.name,
                filename=found[_reference_id(ref)].file.name.rsplit("/", 1)[-1],
                content_type=found[_reference_id(ref)].content_type,
                kind=found[_reference_id(ref)].kind,
                public_url=provider_url(found[_reference_id(ref)]),
            )
            for ref in references
            if _reference_id(ref) in found
        }
        # Each upload's signed URL stands where the user put it (frame order matters); clients
        # with an upload API swap it for the provider's own URL.
        params[field["name"]] = [
            local[v].public_url if v in local else v for v in values if v in local or not v.startswith(MEDIA_SCHEME)
        ]
        uploads[field["name"]] = list(local.values())
    return params, uploads
