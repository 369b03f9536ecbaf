"""Files: a generation's outputs (ranges, presigned links, the zip), and the signed links a provider
fetches without a session (the studio's outputs as sources, uploaded source media)."""

from __future__ import annotations

import re
import tempfile
import zipfile
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.decorators import team_member_required
from catalog.selectors import offer_by_key
from generations.models import Asset
from generations.selectors import asset_for_team, generation_for_team, source_media_field
from generations.uploads import SHARED_FILE_MAX_AGE, SHARED_FILE_SALT, signed_media
from project.storage import presigned_url, stored_size, stream


@team_member_required
@require_GET
def asset_file(request: HttpRequest, public_id: str, asset_id: str, variant: str = "original") -> HttpResponse:
    asset = asset_for_team(team=request.team, generation_id=public_id, asset_id=asset_id)
    if variant == "thumbnail":
        if not asset.thumbnail:
            raise Http404("No thumbnail")
        presigned = _presigned_redirect(asset.thumbnail, filename=asset.thumbnail.name.rsplit("/", 1)[-1])
        if presigned:
            return presigned
        return _stream_response(asset.thumbnail, content_type="image/jpeg")
    download = request.GET.get("download") == "1"
    return _file_response(request, asset, as_attachment=download)


def _presigned_redirect(
    stored, *, filename: str, content_type: str = "image/jpeg", as_attachment: bool = False, seconds: int = 0
) -> HttpResponse | None:
    """On object storage: a redirect to a short-lived presigned link (the bucket is private). The browser
    then reads the object from the bucket itself, Range requests of the player included. None elsewhere."""
    seconds = seconds or settings.STORAGE_DOWNLOAD_URL_SECONDS
    url = presigned_url(
        stored, seconds=seconds, filename=filename, content_type=content_type, as_attachment=as_attachment
    )
    if url is None:
        return None
    response = HttpResponseRedirect(url)
    # The browser may reuse the redirect while the link is good (gallery thumbnails), never after.
    response["Cache-Control"] = f"private, max-age={max(0, seconds // 2)}"
    return response


def _stream_response(stored, *, content_type: str) -> HttpResponse:
    response = StreamingHttpResponse(stream(stored), content_type=content_type)
    response["Content-Length"] = str(stored_size(stored))
    return response


_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def _file_response(
    request: HttpRequest, asset: Asset, *, as_attachment: bool = False, presigned_seconds: int = 0
) -> HttpResponse:
    """The file, honouring one byte range: browsers seek in video and audio with Range requests.

    On object storage the answer is a redirect to a presigned link instead, for downloads and the player
    alike: the bucket answers Range requests itself, and no web process carries the bytes."""
    redirect = _presigned_redirect(
        asset.file,
        filename=asset.filename,
        content_type=asset.content_type,
        as_attachment=as_attachment,
        seconds=presigned_seconds,
    )
    if redirect:
        return redirect
    size = stored_size(asset.file)
    match = _RANGE.match(request.headers.get("Range", "")) if not as_attachment else None
    if match and any(match.groups()):
        first, last = match.groups()
        start = int(first) if first else max(0, size - int(last))
        end = min(int(last), size - 1) if first and last else size - 1
        if start >= size or start > end:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        response = StreamingHttpResponse(stream(asset.file, start, end - start + 1), status=206)
        response["Content-Type"] = asset.content_type
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
    else:
        response = FileResponse(  # opened through the storage API, streamed in blocks
            asset.file.open("rb"), content_type=asset.content_type, as_attachment=as_attachment, filename=asset.filename
        )
    response["Accept-Ranges"] = "bytes"
    return response


@team_member_required
@require_GET
def download_all(request: HttpRequest, public_id: str) -> HttpResponse:
    """Every file of the generation in one zip (media is already compressed: stored, not deflated)."""
    generation = generation_for_team(team=request.team, public_id=public_id)
    assets = list(generation.assets.all())
    if not assets:
        raise Http404("No files")
    archive = tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_STORED) as zipped:
        for asset in assets:
            with zipped.open(asset.filename, "w") as target:
                for chunk in stream(asset.file):  # read from storage as it arrives, never from a local path
                    target.write(chunk)
    archive.seek(0)
    return FileResponse(
        archive, content_type="application/zip", as_attachment=True, filename=f"{generation.public_id}.zip"
    )


def shared_file_url(request: HttpRequest, asset: Asset) -> str:
    """A signed link to one file that a provider can fetch without a session (valid for a week).

    It ends with the file's name: providers (and the pricing rules) tell media kinds by extension.
    """
    token = signing.dumps({"g": asset.generation.public_id, "a": asset.public_id}, salt=SHARED_FILE_SALT)
    path = reverse("generations:shared_file", kwargs={"token": token, "filename": asset.filename})
    base = getattr(settings, "STUDIO_PUBLIC_URL", "")
    return f"{base}{path}" if base else request.build_absolute_uri(path)


@require_GET
def shared_file(request: HttpRequest, token: str, filename: str) -> HttpResponse:
    try:
        ids = signing.loads(token, salt=SHARED_FILE_SALT, max_age=SHARED_FILE_MAX_AGE)
    except signing.BadSignature:
        raise Http404("This link is not valid or has expired") from None
    asset = Asset.objects.filter(
        public_id=ids.get("a"), generation__public_id=ids.get("g"), generation__deleted_at__isnull=True
    ).first()
    if asset is None or asset.filename != filename:
        raise Http404("No such file")
    return _file_response(request, asset, presigned_seconds=settings.STORAGE_SOURCE_URL_SECONDS)


@team_member_required
@require_GET
def use_as_source(request: HttpRequest, public_id: str, asset_id: str) -> HttpResponse:
    """Open the composer on the chosen offer with this file in its source media field."""
    asset = asset_for_team(team=request.team, generation_id=public_id, asset_id=asset_id)
    offer = offer_by_key(key=request.GET.get("offer", ""))
    field = source_media_field(offer.spec, asset.kind) if offer and asset.kind in ("image", "video", "audio") else None
    if field is None:
        messages.error(request, "That model cannot start from this file.")
        return redirect("generations:detail", public_id=public_id)
    query = urlencode({"offer": offer.key, field: shared_file_url(request, asset)})
    return redirect(f"{reverse('generations:gallery')}?{query}#composer")


@require_GET
def source_media_signed(request: HttpRequest, token: str, filename: str) -> HttpResponse:
    """An uploaded source file, for the provider that fetches it by URL (signed, expiring, no login)."""
    media = signed_media(token)
    if media is None or not media.file.name.endswith(filename):
        raise Http404("No such file")
    redirect = _presigned_redirect(
        media.file, filename=filename, content_type=media.content_type, seconds=settings.STORAGE_SOURCE_URL_SECONDS
    )
    return redirect or _stream_response(media.file, content_type=media.content_type)
