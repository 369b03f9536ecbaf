"""Files: a generation's outputs (ranges, presigned links, the zip), and the one signed link a provider
fetches without a session (an output used as source, or an uploaded source file; generations/signed.py)."""

from __future__ import annotations

import re
import tempfile
import zipfile
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.decorators import team_member_required
from catalog.selectors import offer_by_key
from generations.models import Asset, SourceMedia
from generations.selectors import asset_for_team, generation_for_team, source_media_field
from generations.signed import signed_file, signed_file_name, signed_file_url
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


@require_GET
def signed_file_view(request: HttpRequest, token: str, filename: str) -> HttpResponse:
    """One upload or output, for the provider that fetches it by URL (signed, expiring, no login): at
    ``/files/…`` for every new link, and at ``/media/source/…`` for upload links already sent to providers."""
    file = signed_file(token)
    if file is None or signed_file_name(file) != filename:
        raise Http404("No such file")
    if isinstance(file, SourceMedia):
        redirect = _presigned_redirect(
            file.file, filename=filename, content_type=file.content_type, seconds=settings.STORAGE_SOURCE_URL_SECONDS
        )
        return redirect or _stream_response(file.file, content_type=file.content_type)
    return _file_response(request, file, presigned_seconds=settings.STORAGE_SOURCE_URL_SECONDS)


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
    query = urlencode({"offer": offer.key, field: signed_file_url(asset, request=request)})
    return redirect(f"{reverse('generations:gallery')}?{query}#composer")
