"""A generation's page and actions through HTTP: explain, chain, cancel, delete, favourite, boards."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from billing.models import LedgerEntry, Wallet
from generations.models import Asset, Board, BoardItem, Favourite, Generation, Status
from generations.services.gallery import generation_files_remove
from tests.conftest import client_for_team, wait_for
from tests.gallery.helpers import make_generations

HTMX = {"HX-Request": "true"}


def submit(client, prompt: str, offer: str = "kubflow:nano-banana", **fields) -> str:
    response = client.post(
        "/generate/", {"offer": offer, "prompt": prompt, "aspect_ratio": "16:9", **fields}, headers=HTMX
    )
    assert response.status_code == 200, response.content[:500]
    return re.search(r'data-id="(gen_[^"]+)"', response.content.decode()).group(1)


def wait_status(public_id: str, *statuses: str, timeout: float = 60) -> Generation:
    return wait_for(
        lambda: Generation.objects.filter(public_id=public_id, status__in=statuses).first(),
        timeout=timeout,
        interval=0.2,
        message=f"{public_id} to be {statuses}",
    )


def with_files(generation: Generation, count: int = 2) -> list[Asset]:
    assets = []
    for index in range(count):
        name = default_storage.save(f"outputs/test/{generation.public_id}-{index}.png", ContentFile(b"\x89PNG fake"))
        assets.append(
            Asset.objects.create(
                generation=generation,
                index=index,
                kind="image",
                file=name,
                filename=f"{generation.public_id}-{index + 1}.png",
                content_type="image/png",
                size=9,
            )
        )
    return assets


@pytest.fixture
def owner(client, people, catalog, media_root):
    return client_for_team(client, people.owner, people.team)


# --- with the real worker ----------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_cancel_while_running_releases_the_hold(owner, people, sandbox, celery_worker):
    public_id = submit(owner, "a slow sunrise [sandbox delay=30]")
    wait_status(public_id, Status.RUNNING)
    response = owner.post(f"/g/{public_id}/cancel/", headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="cancelled"' in html and 'data-active="true"' not in html
    assert 'id="balance" ' in html and "hx-swap-oob" in html, "the balance is updated too"

    generation = Generation.objects.get(public_id=public_id)
    assert (generation.status, generation.credits_charged) == (Status.CANCELLED, Decimal("0"))
    assert generation.error_message == "Cancelled by olivia."
    kinds = list(LedgerEntry.objects.filter(generation=generation).order_by("id").values_list("kind", flat=True))
    assert kinds == ["hold", "release"]
    wallet = Wallet.objects.get(team=people.team)
    assert (wallet.balance, wallet.held) == (Decimal("100"), Decimal("0"))

    assert owner.post(f"/g/{public_id}/cancel/").status_code == 302, "cancelling twice is harmless"
    assert Generation.objects.get(public_id=public_id).status == Status.CANCELLED


@pytest.mark.django_db(transaction=True)
def test_run_again_and_remix_reuse_the_same_settings(owner, people, sandbox, celery_worker):
    public_id = submit(owner, "a red fox in fresh snow")
    original = wait_status(public_id, Status.COMPLETED)

    page = owner.get(f"/g/{public_id}/").content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f]+)"', page).group(1)
    response = owner.post(f"/g/{public_id}/rerun/", {"idempotency_key": key})
    assert response.status_code == 302 and response["Location"] == "/gallery/"
    owner.post(f"/g/{public_id}/rerun/", {"idempotency_key": key})  # a double click runs it once
    again = Generation.objects.exclude(pk=original.pk).get()
    assert (again.offer_id, again.params) == (original.offer_id, original.params)
    wait_status(again.public_id, Status.COMPLETED)

    remix = unescape(re.search(r'href="([^"]+)">Remix<', page).group(1))
    query = parse_qs(urlsplit(remix).query)
    assert query["offer"] == ["kubflow:nano-banana"] and query["prompt"] == ["a red fox in fresh snow"]
    composer = owner.get(remix).content.decode()
    assert "a red fox in fresh snow</textarea>" in composer, "the composer is prefilled and editable"
    assert re.search(r'<option value="16:9"[^>]*selected', composer)


@pytest.mark.django_db(transaction=True)
def test_an_image_can_start_an_image_to_video_generation(owner, people, sandbox, celery_worker):
    public_id = submit(owner, "a lighthouse on a cliff")
    generation = wait_status(public_id, Status.COMPLETED)
    asset = generation.assets.get()
    page = owner.get(f"/g/{public_id}/").content.decode()
    assert 'value="kubflow:veo3"' in page, "image-to-video models are offered"

    response = owner.get(f"/g/{public_id}/files/{asset.public_id}/use/?offer=kubflow:veo3")
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    values = parse_qs(target.query)
    assert values["offer"] == ["kubflow:veo3"]
    shared = values["image_url"][0]
    assert shared.endswith(f"/{asset.filename}"), "providers tell the kind by extension"
    composer = owner.get(response["Location"]).content.decode()
    assert f'value="{shared}"' in composer.replace("&amp;", "&")

    anonymous = Client()
    path = urlsplit(shared).path
    fetched = anonymous.get(path)
    assert fetched.status_code == 200 and fetched["Content-Type"] == "image/png", "a provider fetches it unsigned-in"
    assert anonymous.get(path.replace("/files/", "/files/x")).status_code == 404, "a tampered link is refused"

    # a video model that only takes video cannot start from an image
    bad = owner.get(f"/g/{public_id}/files/{asset.public_id}/use/?offer=kubflow:topaz-video-upscale")
    assert bad.status_code == 302 and bad["Location"] == f"/g/{public_id}/"


# --- without the worker ------------------------------------------------------------


@pytest.mark.django_db
def test_failed_generation_explains_the_reason_and_what_to_do(owner, people):
    failed = make_generations(team=people.team, user=people.owner, count=1, status=Status.FAILED)[0]
    Generation.objects.filter(pk=failed.pk).update(error_code="provider_failed", credits_charged=0)
    page = owner.get(f"/g/{failed.public_id}/").content.decode()
    assert "The provider could not make this." in page
    assert "The model could not generate this request." in page, "the provider's own words"
    assert "What to do next:" in page and "Nothing was charged." in page


@pytest.mark.django_db
def test_detail_shows_times_parameters_and_cost(owner, people):
    generation = make_generations(team=people.team, user=people.owner, count=1, status=Status.COMPLETED)[0]
    page = owner.get(f"/g/{generation.public_id}/").content.decode()
    for text in (
        "Queued",
        "Started",
        "Finished",
        "Aspect ratio",
        "1:1",
        "4 credits charged",
        "Nano Banana",
        "took 0 s",
    ):
        assert text in page


@pytest.mark.django_db
def test_download_all_files_as_one_zip(owner, people):
    generation = make_generations(
        team=people.team, user=people.owner, count=1, status=Status.COMPLETED, with_asset=False
    )[0]
    with_files(generation, 2)
    page = owner.get(f"/g/{generation.public_id}/").content.decode()
    assert "Download all 2 files (.zip)" in page
    response = owner.get(f"/g/{generation.public_id}/download/")
    assert response["Content-Type"] == "application/zip"
    assert f'filename="{generation.public_id}.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == [f"{generation.public_id}-1.png", f"{generation.public_id}-2.png"]


@pytest.mark.django_db
def test_favourite_toggles_with_htmx(owner, people):
    generation = make_generations(team=people.team, user=people.owner, count=1, status=Status.COMPLETED)[0]
    html = owner.post(f"/g/{generation.public_id}/favourite/", {"on": "1"}, headers=HTMX).content.decode()
    assert 'aria-pressed="true"' in html and 'name="on" value="0"' in html
    assert Favourite.objects.filter(user=people.owner, generation=generation).exists()
    owner.post(f"/g/{generation.public_id}/favourite/", {"on": "1"}, headers=HTMX)  # twice: still one
    assert Favourite.objects.count() == 1
    html = owner.post(f"/g/{generation.public_id}/favourite/", {"on": "0"}, headers=HTMX).content.decode()
    assert 'aria-pressed="false"' in html
    assert not Favourite.objects.exists()


@pytest.mark.django_db
def test_boards_create_add_rename_remove_and_delete(owner, people):
    first, second = make_generations(team=people.team, user=people.owner, count=2, status=Status.COMPLETED)
    response = owner.post("/boards/", {"name": "  Client   picks "})
    board = Board.objects.get()
    assert board.name == "Client picks" and response["Location"] == f"/boards/{board.public_id}/"
    owner.post("/boards/", {"name": "client PICKS"})
    assert Board.objects.count() == 1, "names are unique in a team, whatever the case"

    owner.post(f"/g/{first.public_id}/boards/", {"board": board.public_id})
    owner.post(f"/g/{second.public_id}/boards/", {"new_board": "Moodboard"})
    assert list(board.generations.all()) == [first]
    assert Board.objects.get(name="Moodboard").generations.get() == second

    page = owner.get(f"/boards/{board.public_id}/").content.decode()
    assert f'id="card-{first.public_id}"' in page and f'id="card-{second.public_id}"' not in page
    assert "Remove from board" in page
    listing = owner.get("/boards/").content.decode()
    assert "Client picks" in listing and "1 generation<" in listing

    owner.post(f"/boards/{board.public_id}/rename/", {"name": "Final picks"})
    assert Board.objects.get(pk=board.pk).name == "Final picks"
    owner.post(f"/boards/{board.public_id}/remove/{first.public_id}/")
    assert not BoardItem.objects.filter(board=board).exists()
    owner.post(f"/boards/{board.public_id}/delete/")
    assert not Board.objects.filter(pk=board.pk).exists()
    assert Generation.objects.filter(pk=first.pk).exists(), "deleting a board keeps its generations"


@pytest.mark.django_db
def test_boards_are_walled_by_team(client, people, catalog):
    theirs = make_generations(team=people.other_team, user=people.stranger, count=1, status=Status.COMPLETED)[0]
    mine = make_generations(team=people.team, user=people.owner, count=1, status=Status.COMPLETED)[0]
    from generations.services.gallery import board_create

    their_board = board_create(team=people.other_team, user=people.stranger, name="Theirs")
    owner = client_for_team(client, people.owner, people.team)
    assert owner.get(f"/boards/{their_board.public_id}/").status_code == 404
    assert owner.post(f"/g/{mine.public_id}/boards/", {"board": their_board.public_id}).status_code == 404
    assert owner.post(f"/g/{theirs.public_id}/boards/", {"new_board": "Steal"}).status_code == 404
    assert owner.post(f"/g/{theirs.public_id}/favourite/", {"on": "1"}).status_code == 404
    assert not BoardItem.objects.exists()


@pytest.mark.django_db
def test_only_the_author_or_an_admin_may_cancel_or_delete(client, people, catalog, media_root):
    owners = make_generations(team=people.team, user=people.owner, count=1, status=Status.COMPLETED)[0]
    theirs = make_generations(team=people.team, user=people.teammate, count=1, status=Status.COMPLETED)[0]
    teammate = client_for_team(client, people.teammate, people.team)
    assert teammate.post(f"/g/{owners.public_id}/delete/").status_code == 403
    assert teammate.post(f"/g/{owners.public_id}/cancel/").status_code == 403
    owner = client_for_team(client, people.owner, people.team)
    assert owner.post(f"/g/{theirs.public_id}/delete/").status_code == 302, "the team owner may"
    stranger = client_for_team(client, people.stranger, people.other_team)
    assert stranger.post(f"/g/{owners.public_id}/delete/").status_code == 404


@pytest.mark.django_db
def test_delete_hides_at_once_and_a_task_removes_the_files(owner, people, django_capture_on_commit_callbacks):
    generation = make_generations(
        team=people.team, user=people.owner, count=1, status=Status.COMPLETED, with_asset=False
    )[0]
    assets = with_files(generation, 2)
    names = [a.file.name for a in assets]
    with django_capture_on_commit_callbacks() as callbacks:
        assert owner.post(f"/g/{generation.public_id}/delete/").status_code == 302
    removals = [c for c in callbacks if "generation_files_remove_task" in repr(c)]
    assert len(removals) == 1, "the file removal is enqueued when the delete commits"
    assert owner.get(f"/g/{generation.public_id}/").status_code == 404
    assert all(default_storage.exists(name) for name in names), "files go later, not in the request"

    Generation.objects.filter(pk=generation.pk).update(lease_expires_at=timezone.now() + timedelta(seconds=30))
    assert generation_files_remove(public_id=generation.public_id) > 0, "waits while a worker holds the job"
    Generation.objects.filter(pk=generation.pk).update(lease_expires_at=None)
    assert generation_files_remove(public_id=generation.public_id) is None
    assert not any(default_storage.exists(name) for name in names)
    assert not Asset.objects.filter(generation=generation).exists()
    assert generation_files_remove(public_id=generation.public_id) is None, "idempotent"


@pytest.mark.django_db
def test_the_sweeper_removes_files_whose_removal_task_was_lost(people, catalog):
    """A delete that committed while the broker was down never got its removal task: beat's sweep
    removes those files once the task had its chance; recent deletes and live generations keep theirs."""
    from generations.tasks import generations_sweep_task

    lost, recent, live = make_generations(
        team=people.team, user=people.owner, count=3, status=Status.COMPLETED, with_asset=False
    )
    names = {g.pk: [a.file.name for a in with_files(g, 2)] for g in (lost, recent, live)}
    now = timezone.now()
    Generation.objects.filter(pk=lost.pk).update(deleted_at=now - timedelta(minutes=30))
    Generation.objects.filter(pk=recent.pk).update(deleted_at=now - timedelta(minutes=1))  # its task may still run

    generations_sweep_task()  # what beat runs every SWEEP_INTERVAL_SECONDS

    assert not any(default_storage.exists(name) for name in names[lost.pk])
    assert not Asset.objects.filter(generation=lost).exists()
    assert all(default_storage.exists(name) for name in names[recent.pk] + names[live.pk])
    assert Asset.objects.filter(generation__in=[recent, live]).count() == 4


@pytest.mark.django_db
def test_files_answer_byte_ranges_so_players_can_seek(owner, people):
    generation = make_generations(
        team=people.team, user=people.owner, count=1, status=Status.COMPLETED, with_asset=False
    )[0]
    asset = with_files(generation, 1)[0]  # b"\x89PNG fake"
    url = f"/g/{generation.public_id}/files/{asset.public_id}/"
    whole = owner.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    part = owner.get(url, headers={"Range": "bytes=2-5"})
    assert part.status_code == 206 and part["Content-Range"] == "bytes 2-5/9"
    assert b"".join(part.streaming_content) == b"NG f"
    assert b"".join(owner.get(url, headers={"Range": "bytes=-3"}).streaming_content) == b"ake"
    assert owner.get(url, headers={"Range": "bytes=100-"}).status_code == 416
