"""The studio's files, reached only through Django's storage API.

The backend is the local filesystem (``MEDIA_ROOT``) by default, or S3-compatible object storage when
``STORAGE_URL`` is set (see settings). Nothing here, nor anywhere else, opens a stored file by a local path:
a web or worker host may have no copy of it. What the filesystem cannot give (a presigned link) is
``None`` there, and callers stream the bytes instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

from django.core.files.storage import Storage, default_storage
from django.db.models.fields.files import FieldFile

CHUNK = 256 * 1024


def is_object_storage(storage: Storage | None = None) -> bool:
    """True when files live in an S3-compatible bucket (django-storages' S3 backend)."""
    storage = storage or default_storage
    return hasattr(storage, "bucket_name") and hasattr(storage, "connection")


def _key(storage: Any, name: str) -> str:
    from storages.utils import clean_name

    return storage._normalize_name(clean_name(name))


def presigned_url(
    stored: FieldFile,
    *,
    seconds: int,
    filename: str = "",
    content_type: str = "",
    as_attachment: bool = False,
) -> str | None:
    """A short-lived link straight to the object (object storage only; ``None`` on the filesystem).

    The bucket stays private: the link is signed for one object and expires after ``seconds``.
    """
    if not stored or not is_object_storage(stored.storage):
        return None
    parameters: dict[str, str] = {}
    if content_type:
        parameters["ResponseContentType"] = content_type
    if filename:
        safe = filename.replace('"', "")
        parameters["ResponseContentDisposition"] = f'{"attachment" if as_attachment else "inline"}; filename="{safe}"'
    return stored.storage.url(stored.name, parameters=parameters, expire=seconds)


def stored_size(stored: FieldFile) -> int:
    return stored.storage.size(stored.name)


def stream(stored: FieldFile, start: int = 0, length: int | None = None) -> Iterator[bytes]:
    """The bytes of a stored file from ``start``, ``length`` of them (all when None), in chunks.

    On object storage this is one ranged GET read as it arrives, never the whole object first.
    """
    storage = stored.storage
    if is_object_storage(storage):
        params: dict[str, Any] = {"Bucket": storage.bucket_name, "Key": _key(storage, stored.name)}
        if start or length is not None:
            params["Range"] = f"bytes={start}-{'' if length is None else start + length - 1}"
        body = storage.connection.meta.client.get_object(**params)["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()
        return
    with storage.open(stored.name, "rb") as handle:
        handle.seek(start)
        remaining = length
        while remaining is None or remaining > 0:
            chunk = handle.read(CHUNK if remaining is None else min(CHUNK, remaining))
            if not chunk:
                break
            if remaining is not None:
                remaining -= len(chunk)
            yield chunk


def read_head(stored: FieldFile, size: int) -> bytes:
    """The first ``size`` bytes of a stored file (a short read, also on object storage)."""
    return b"".join(stream(stored, 0, size))


def storage_check() -> None:
    """Raise when the storage cannot be reached (readiness): a bucket HEAD, or the media directory."""
    storage = default_storage
    if is_object_storage(storage):
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
        return
    os.makedirs(storage.location, exist_ok=True)  # the storage's own root, made on first save anyway
    storage.listdir("")
