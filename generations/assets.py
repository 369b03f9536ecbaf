"""Storing a generation's outputs: downloaded, checked by content, kept in our storage."""

from __future__ import annotations

import os
import tempfile
import zipfile
from decimal import Decimal

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from generations.mediainfo import MediaError, image_thumbnail, media_probe, video_poster
from generations.models import Asset, Generation
from generations.outbound.fetch import FetchError, fetch_to_file


class AssetError(Exception):
    def __init__(self, code: str, message: str, *, permanent: bool) -> None:
        super().__init__(message)
        self.code = code
        self.permanent = permanent


def _provider_hosts() -> frozenset[str]:
    return frozenset(settings.OUTBOUND_URL_ALLOWLIST)


# An asset's index is result_index * 100 + its position inside a zip (0 for a plain file),
# so the job knows which provider results are stored whatever they unpacked into.
ZIP_SLOTS = 100


def result_indexes_stored(generation: Generation) -> set[int]:
    return {index // ZIP_SLOTS for index in generation.assets.values_list("index", flat=True)}


def asset_store_from_url(*, generation: Generation, index: int, url: str) -> list[Asset]:
    """Download provider result number ``index`` and store it (a zip becomes one asset per file inside)."""
    with tempfile.NamedTemporaryFile(suffix=".download", delete=False) as handle:
        path = handle.name
        try:
            fetch_to_file(
                url,
                handle,
                max_bytes=settings.OUTPUT_MAX_BYTES,
                allow_hosts=_provider_hosts(),
                timeout=60.0,
                user_supplied=False,
            )
        except FetchError as exc:
            os.unlink(path)
            raise AssetError(exc.code, f"download failed: {exc}", permanent=exc.permanent) from exc
    try:
        if zipfile.is_zipfile(path):
            return _store_zip(generation, index, path)
        return [
            _store_file(
                generation,
                index * ZIP_SLOTS,
                path,
                allow_text=generation.offer.output == "text",
                source_url=url,
                filename=f"{generation.public_id}-{index + 1}",
            )
        ]
    finally:
        os.unlink(path)


def _store_zip(generation: Generation, index: int, path: str) -> list[Asset]:
    assets = []
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()][: ZIP_SLOTS - 1]
        total = sum(m.file_size for m in members)
        if total > settings.OUTPUT_MAX_BYTES:
            raise AssetError("too_large", "the result archive is too large", permanent=True)
        for offset, member in enumerate(members):
            with tempfile.NamedTemporaryFile(delete=False) as out:
                out.write(archive.read(member))
                inner = out.name
            try:
                assets.append(
                    _store_file(
                        generation,
                        index * ZIP_SLOTS + offset,
                        inner,
                        allow_text=False,
                        source_url="",
                        filename=f"{generation.public_id}-{index + 1}-{offset + 1}",
                    )
                )
            finally:
                os.unlink(inner)
    return assets


def _store_file(
    generation: Generation, index: int, path: str, *, allow_text: bool, source_url: str, filename: str
) -> Asset:
    try:
        info = media_probe(path, allow_text=allow_text)
    except MediaError as exc:
        raise AssetError("bad_output", str(exc), permanent=True) from exc
    filename = f"{filename}.{info.extension}"
    thumbnail = None
    if info.kind == "image":
        thumbnail = image_thumbnail(path)
    elif info.kind == "video":
        thumbnail = video_poster(path)
    asset = Asset(
        generation=generation,
        index=index,
        kind=info.kind,
        filename=filename,
        content_type=info.content_type,
        size=os.path.getsize(path),
        width=info.width,
        height=info.height,
        duration=info.duration if info.duration is None else Decimal(info.duration),
        has_audio=info.has_audio,
        source_url=source_url[:2000],
    )
    with open(path, "rb") as handle:
        asset.file.save(filename, File(handle), save=False)
    if thumbnail:
        asset.thumbnail.save(filename.rsplit(".", 1)[0] + ".jpg", ContentFile(thumbnail), save=False)
    try:
        with transaction.atomic():
            asset.save()
    except IntegrityError:
        # Another worker stored this output first: keep theirs, drop our copy.
        asset.file.delete(save=False)
        if asset.thumbnail:
            asset.thumbnail.delete(save=False)
        return Asset.objects.get(generation=generation, index=index)
    return asset
