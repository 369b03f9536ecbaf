"""Source media in: uploads checked by content, unsafe URLs refused before anything is created."""

from __future__ import annotations

import io
import time
from decimal import Decimal

import pytest
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from billing.models import Hold, Wallet
from catalog.models import Offer
from catalog.pricing import QuoteError
from generations.models import Generation, SourceMedia
from generations.services.submission import generation_submit
from generations.signed import LEGACY_MEDIA_SALT, SIGNED_FILE_SALT, signed_file_url
from generations.uploads import uploads_for_request

pytestmark = pytest.mark.django_db


def _png(size=(64, 48)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 80, 20)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def image_to_image(people, catalog) -> Offer:
    return Offer.objects.get(provider__slug="kubflow", model_id="nano-banana")


def _submit(people, offer, **kwargs):
    return generation_submit(team=people.team, user=people.owner, offer=offer, **kwargs)


def test_an_uploaded_image_is_stored_and_referred_to(people, image_to_image, media_root):
    generation = _submit(
        people,
        image_to_image,
        params={"prompt": "make it blue"},
        files={"image_url": [SimpleUploadedFile("photo.jpg", _png(), content_type="image/jpeg")]},
    )
    media = SourceMedia.objects.get(team=people.team)
    assert (media.kind, media.content_type, media.width, media.height) == ("image", "image/png", 64, 48)
    assert generation.params["image_url"] == [f"media://{media.public_id}.png"]

    params, uploads = uploads_for_request(spec=image_to_image.spec, params=generation.params)
    assert params["image_url"] == [uploads["image_url"][0].public_url], "the provider gets a URL it can fetch"
    assert uploads["image_url"][0].content_type == "image/png"


def test_the_same_file_twice_is_kept_once(people, image_to_image, media_root):
    for _ in range(2):
        _submit(
            people,
            image_to_image,
            params={"prompt": "again"},
            files={"image_url": [SimpleUploadedFile("a.png", _png())]},
        )
    assert SourceMedia.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("page.png", b"<html><body>not an image</body></html>", "not a supported image"),
        ("noise.png", bytes(range(256)) * 40, "not a supported image"),
        ("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100, "not a supported image"),
    ],
)
def test_files_are_judged_by_content_not_name(people, image_to_image, media_root, name, content, message):
    with pytest.raises(QuoteError) as refused:
        _submit(
            people, image_to_image, params={"prompt": "x"}, files={"image_url": [SimpleUploadedFile(name, content)]}
        )
    assert refused.value.code == "invalid_upload"
    assert refused.value.details["field"] == "image_url"
    assert message in refused.value.message
    assert not Generation.objects.exists() and not Hold.objects.exists()


def test_a_decompression_bomb_is_refused(people, image_to_image, media_root):
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")  # small file, 144 megapixels
    with pytest.raises(QuoteError) as refused:
        _submit(
            people,
            image_to_image,
            params={"prompt": "x"},
            files={"image_url": [SimpleUploadedFile("b.png", out.getvalue())]},
        )
    assert "too large to process safely" in refused.value.message
    assert not SourceMedia.objects.exists()


def test_a_video_in_an_image_field_is_refused(people, image_to_image, media_root):
    from sandbox.media import render_video

    clip = render_video("x", 1, 64, 36)
    with pytest.raises(QuoteError) as refused:
        _submit(
            people, image_to_image, params={"prompt": "x"}, files={"image_url": [SimpleUploadedFile("v.mp4", clip)]}
        )
    assert "this field takes image" in refused.value.message


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/a.png",
        "http://localhost/a.png",
        "http://169.254.169.254/latest/meta-data",
        "http://10.0.0.5/a.png",
        "http://2130706433/a.png",
        "file:///etc/passwd",
        "http://user:secret@example.com/a.png",
    ],
)
def test_unsafe_source_urls_are_refused_before_anything_is_created(people, image_to_image, url):
    with pytest.raises(QuoteError) as refused:
        _submit(people, image_to_image, params={"prompt": "x", "image_url": [url]})
    assert refused.value.code == "unsafe_source_url"
    assert not Generation.objects.exists()
    assert Wallet.objects.get(team=people.team).available == Decimal("100")


def test_another_teams_upload_cannot_be_used(people, image_to_image, media_root):
    from generations.uploads import media_reference, source_media_store

    theirs = source_media_store(
        team=people.other_team, user=people.stranger, upload=SimpleUploadedFile("t.png", _png())
    )
    with pytest.raises(QuoteError):
        _submit(people, image_to_image, params={"prompt": "x", "image_url": [media_reference(theirs)]})


def test_signed_urls_serve_the_file_and_nothing_else(client, people, media_root):
    from generations.uploads import source_media_store

    media = source_media_store(team=people.team, user=people.owner, upload=SimpleUploadedFile("s.png", _png()))
    url = "/" + signed_file_url(media).split("://", 1)[1].split("/", 1)[1]
    assert url.startswith("/files/")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    token = url.split("/")[2]
    forged = url.replace(token, token[:-2] + "xx")
    assert client.get(forged).status_code == 404
    assert client.get(url.rsplit("/", 1)[0] + "/other.png").status_code == 404


def _signed_at(value, *, salt: str, hours_ago: float) -> str:
    """A token signed ``hours_ago`` (Django's own signer, its clock set back)."""
    then = time.time() - hours_ago * 3600

    class Earlier(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(then))

    return Earlier(salt=salt).sign_object(value)


def test_an_upload_link_lasts_a_day_and_an_output_link_a_week(client, people, catalog, media_root):
    from generations.uploads import source_media_store
    from tests.conftest import completed_generation_with_file

    media = source_media_store(team=people.team, user=people.owner, upload=SimpleUploadedFile("d.png", _png()))
    name = media.file.name.rsplit("/", 1)[-1]
    _, asset = completed_generation_with_file(team=people.team, user=people.owner)
    output_ids = {"g": asset.generation.public_id, "a": asset.public_id}

    def upload_link(hours: float) -> str:
        return f"/files/{_signed_at({'m': media.public_id}, salt=SIGNED_FILE_SALT, hours_ago=hours)}/{name}"

    def output_link(hours: float) -> str:
        return f"/files/{_signed_at(output_ids, salt=SIGNED_FILE_SALT, hours_ago=hours)}/{asset.filename}"

    assert client.get(upload_link(23)).status_code == 200
    assert client.get(upload_link(25)).status_code == 404
    assert client.get(output_link(25)).status_code == 200
    assert client.get(output_link(6 * 24 + 23)).status_code == 200
    assert client.get(output_link(7 * 24 + 1)).status_code == 404


def test_upload_links_already_sent_under_media_source_still_work(client, people, media_root):
    """Links a provider holds from before there was one mechanism: the upload's id alone, its own salt."""
    from generations.uploads import source_media_store

    media = source_media_store(team=people.team, user=people.owner, upload=SimpleUploadedFile("o.png", _png()))
    name = media.file.name.rsplit("/", 1)[-1]
    old = _signed_at(media.public_id, salt=LEGACY_MEDIA_SALT, hours_ago=1)
    response = client.get(f"/media/source/{old}/{name}")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == media.file.open("rb").read()
    expired = _signed_at(media.public_id, salt=LEGACY_MEDIA_SALT, hours_ago=25)
    assert client.get(f"/media/source/{expired}/{name}").status_code == 404
    assert client.get(f"/media/source/{signing.dumps(media.public_id, salt='another')}/{name}").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_an_upload_from_the_composer_runs_through_the_provider(
    client, people, catalog, sandbox, celery_worker, media_root
):
    from tests.conftest import client_for_team, wait_for

    client = client_for_team(client, people.owner, people.team)
    response = client.post(
        "/generate/",
        {
            "offer": "kubflow:nano-banana",
            "prompt": "turn this into a poster",
            "image_url__files": SimpleUploadedFile("mine.png", _png(), content_type="image/png"),
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    generation = Generation.objects.get(team=people.team)
    assert generation.params["image_url"][0].startswith("media://src_")

    def done():
        generation.refresh_from_db()
        return generation.status in {"completed", "failed"}

    wait_for(done, timeout=60, message="the job to finish")
    assert generation.status == "completed", generation.error_message
    received = sandbox.http.get("/_sandbox/stats").json()
    assert received.get("kubflow.accepted", 0) >= 1


def test_a_non_image_upload_is_an_error_next_to_its_field(client, people, catalog, media_root):
    from tests.conftest import client_for_team

    client = client_for_team(client, people.owner, people.team)
    response = client.post(
        "/generate/",
        {
            "offer": "kubflow:nano-banana",
            "prompt": "x",
            "image_url__files": SimpleUploadedFile("fake.png", b"<html>nope</html>", content_type="image/png"),
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "not a supported image" in response.content.decode()
    assert not Generation.objects.exists()


def test_a_remix_of_a_generation_made_from_an_upload_submits_from_the_form(client, people, image_to_image, media_root):
    """The remix link carries the upload as ``media://…``; the composer takes it back, for this team only."""
    from urllib.parse import parse_qs, urlsplit

    from generations.views.generation import remix_url
    from tests.conftest import client_for_team

    original = _submit(
        people,
        image_to_image,
        params={"prompt": "make it blue"},
        files={"image_url": [SimpleUploadedFile("photo.png", _png(), content_type="image/png")]},
    )
    reference = original.params["image_url"][0]
    query = parse_qs(urlsplit(remix_url(original)).query)
    assert query["image_url"] == [reference]

    owner = client_for_team(client, people.owner, people.team)
    composer = owner.get(remix_url(original)).content.decode()
    assert f'value="{reference}"' in composer, "the composer is prefilled with the upload"
    form = {"offer": image_to_image.key, "prompt": "make it green", "image_url": reference, "idempotency_key": "r1"}
    assert owner.post("/generate/", form).status_code == 302
    remixed = Generation.objects.exclude(pk=original.pk).get()
    assert remixed.params["image_url"] == [reference] and remixed.prompt == "make it green"

    stranger = client_for_team(client, people.stranger, people.other_team)
    response = stranger.post("/generate/", {**form, "idempotency_key": "r2"})
    assert "That uploaded file does not exist." in response.content.decode()
    assert not Generation.objects.filter(team=people.other_team).exists()
