"""The studio's files on both backends: the local filesystem and S3-compatible object storage (a real
moto server process). Every path goes through Django's storage API; on S3 nothing lands in MEDIA_ROOT."""

from __future__ import annotations

import io
import os
import zipfile
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from catalog.models import Offer
from generations.assets import _store_file
from generations.models import Generation, Status
from generations.services.gallery import generation_files_remove, generations_files_remove_stale
from generations.uploads import provider_url, source_media_store, uploads_for_request
from project.storage import is_object_storage, read_head, storage_check
from tests.conftest import client_for_team, s3_storages

pytestmark = pytest.mark.django_db


class Backend:
    def __init__(self, name: str, media_root: Path, server=None, bucket: str = "") -> None:
        self.name = name
        self.media_root = media_root
        self.server = server
        self.bucket = bucket

    @property
    def s3(self) -> bool:
        return self.name == "s3"

    def local_files(self) -> list[Path]:
        return [p for p in self.media_root.rglob("*") if p.is_file()] if self.media_root.exists() else []

    def exists(self, name: str) -> bool:
        return default_storage.exists(name)


@pytest.fixture(params=["filesystem", "s3"])
def backend(request, settings, tmp_path) -> Backend:
    media_root = tmp_path / "media"
    settings.MEDIA_ROOT = media_root
    if request.param == "filesystem":
        return Backend("filesystem", media_root)
    server = request.getfixturevalue("s3_server")
    bucket = server.bucket_create()
    settings.STORAGES = s3_storages(server, bucket)
    assert is_object_storage()
    return Backend("s3", media_root, server, bucket)


def _png(path: Path, size: tuple[int, int] = (64, 48), *, noise: bool = False) -> Path:
    if noise:
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 40, 40))
    image.save(path, "PNG", compress_level=1)
    return path


def _generation(people) -> Generation:
    return Generation.objects.create(
        team=people.team,
        created_by=people.owner,
        offer=Offer.objects.get(provider__slug="kubflow", model_id="nano-banana"),
        prompt="storage",
        provider_cost=Decimal("4"),
        credits_quoted=Decimal("4"),
        deadline_at=timezone.now(),
        status=Status.COMPLETED,
    )


def _follow(response) -> httpx.Response:
    """On object storage a file view answers with a presigned redirect: fetch it from the bucket."""
    assert response.status_code == 302, response.status_code
    return httpx.get(response["Location"], timeout=10)


def test_an_output_and_its_thumbnail_are_stored_downloaded_zipped_and_removed(
    backend, people, catalog, client, tmp_path
):
    source = _png(tmp_path / "out.png")
    generation = _generation(people)
    asset = _store_file(generation, 0, str(source), allow_text=False, source_url="", filename="g-1")
    assert asset.size == source.stat().st_size and asset.thumbnail
    assert backend.exists(asset.file.name) and backend.exists(asset.thumbnail.name)
    if backend.s3:
        keys = backend.server.keys(backend.bucket)
        assert f"media/{asset.file.name}" in keys and f"media/{asset.thumbnail.name}" in keys

    client = client_for_team(client, people.owner, people.team)
    base = f"/g/{generation.public_id}/files/{asset.public_id}/"
    original = client.get(base)
    download = client.get(base + "?download=1")
    thumbnail = client.get(base + "thumbnail/")
    if backend.s3:
        fetched = _follow(original)
        assert fetched.status_code == 200 and fetched.content == source.read_bytes()
        assert fetched.headers["content-type"] == "image/png"
        attached = _follow(download)
        assert (
            attached.headers["content-disposition"].startswith("attachment")
            and "g-1.png" in attached.headers["content-disposition"]
        )
        thumb = _follow(thumbnail)
        assert thumb.headers["content-type"] == "image/jpeg" and thumb.content[:2] == b"\xff\xd8"
        # The player's Range requests are answered by the bucket after the redirect.
        ranged = httpx.get(original["Location"], headers={"Range": "bytes=0-9"}, timeout=10)
        assert ranged.status_code == 206 and ranged.content == source.read_bytes()[:10]
    else:
        assert b"".join(original.streaming_content) == source.read_bytes()
        assert download["Content-Disposition"].startswith("attachment")
        assert b"".join(thumbnail.streaming_content)[:2] == b"\xff\xd8"
        ranged = client.get(base, HTTP_RANGE="bytes=0-9")
        assert ranged.status_code == 206 and b"".join(ranged.streaming_content) == source.read_bytes()[:10]

    # Another team sees none of it, whatever the backend.
    stranger = client_for_team(client.__class__(), people.stranger, people.other_team)
    assert stranger.get(base).status_code == 404

    archive = client.get(f"/g/{generation.public_id}/download/")
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(b"".join(archive.streaming_content))) as zipped:
        assert zipped.read("g-1.png") == source.read_bytes()

    names = [asset.file.name, asset.thumbnail.name]
    Generation.objects.filter(pk=generation.pk).update(deleted_at=timezone.now())
    assert generation_files_remove(public_id=generation.public_id) is None
    assert not any(backend.exists(name) for name in names)
    if backend.s3:
        assert backend.server.keys(backend.bucket) == []
        assert backend.local_files() == []  # nothing ever touched the local media directory


def test_the_bucket_is_private_and_links_are_presigned_and_short_lived(
    backend, people, catalog, client, tmp_path, settings
):
    generation = _generation(people)
    asset = _store_file(generation, 0, str(_png(tmp_path / "p.png")), allow_text=False, source_url="", filename="p")
    if not backend.s3:
        # The filesystem has no presigned links: the team-checked view streams the file itself.
        response = client_for_team(client, people.owner, people.team).get(
            f"/g/{generation.public_id}/files/{asset.public_id}/"
        )
        assert response.status_code == 200 and "Location" not in response
        assert b"".join(response.streaming_content) == (tmp_path / "p.png").read_bytes()
        return
    plain = f"{backend.server.url}/{backend.bucket}/media/{asset.file.name}"
    assert httpx.get(plain, timeout=10).status_code == 403  # no public read
    settings.STORAGE_DOWNLOAD_URL_SECONDS = 1
    response = client_for_team(client, people.owner, people.team).get(
        f"/g/{generation.public_id}/files/{asset.public_id}/"
    )
    # Signed for this one object, expiring after the configured seconds (moto does not enforce the expiry
    # itself, so the test reads it from the link; a real bucket refuses the link after that).
    assert "X-Amz-Expires=1&" in response["Location"] and "X-Amz-Signature=" in response["Location"]
    assert response["Location"].split("?")[0] == plain


def test_large_outputs_go_up_in_parts_and_the_cap_still_holds(backend, people, catalog, tmp_path):
    big = _png(tmp_path / "big.png", (2200, 2200), noise=True)  # about 14.5 MB, over the 8 MB part size
    assert big.stat().st_size > 9 * 1024 * 1024
    generation = _generation(people)
    asset = _store_file(generation, 0, str(big), allow_text=False, source_url="", filename="big")
    assert default_storage.size(asset.file.name) == big.stat().st_size
    if backend.s3:
        head = backend.server.client().head_object(Bucket=backend.bucket, Key=f"media/{asset.file.name}")
        assert "-" in head["ETag"], "a multipart upload's ETag ends with -<parts>"
        assert backend.local_files() == []
    assert read_head(asset.file, 8) == big.read_bytes()[:8]


def test_uploads_are_stored_and_handed_to_providers_through_storage(backend, people, catalog, tmp_path, settings):
    settings.STORAGE_SOURCE_URL_SECONDS = 120
    png = _png(tmp_path / "src.png").read_bytes()
    media = source_media_store(team=people.team, user=people.owner, upload=SimpleUploadedFile("src.png", png))
    assert backend.exists(media.file.name)
    spec = {"fields": [{"name": "image_url", "type": "media"}]}
    params, uploads = uploads_for_request(spec=spec, params={"image_url": [f"media://{media.public_id}.png"]})
    (local,) = uploads["image_url"]
    assert local.path == "" and local.storage_name == media.file.name
    assert local.size() == len(png)
    with local.open() as handle:  # what Kubeez's and Krea's upload calls send
        assert handle.read() == png
    url = params["image_url"][0]
    if backend.s3:
        assert url.startswith(backend.server.url) and "X-Amz-Expires=120" in url
        assert httpx.get(url, timeout=10).content == png
        assert backend.local_files() == []
    else:
        assert url == provider_url(media) and "/files/" in url


def test_a_lost_removal_is_caught_by_the_sweeper(backend, people, catalog, tmp_path):
    generation = _generation(people)
    asset = _store_file(generation, 0, str(_png(tmp_path / "s.png")), allow_text=False, source_url="", filename="s")
    Generation.objects.filter(pk=generation.pk).update(deleted_at=timezone.now())  # its removal task never ran
    assert generations_files_remove_stale(now=timezone.now() + timezone.timedelta(minutes=11)) == 1
    assert not backend.exists(asset.file.name)
    if backend.s3:
        assert backend.server.keys(backend.bucket) == []


def test_the_storage_check_fails_when_the_bucket_is_gone(backend, settings):
    storage_check()
    if backend.s3:
        backend.server.client().delete_bucket(Bucket=backend.bucket)
        with pytest.raises(Exception, match=r"Not Found|NoSuchBucket|404"):
            storage_check()
