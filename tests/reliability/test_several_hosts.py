"""Several hosts: two web processes and two workers, each with its own empty local directory and no shared
disk, one PostgreSQL, one Redis, an S3 server (moto, a process) and the sandbox.

A member signs in and submits (with an upload) on web A; either worker runs the job; the card finishes
through web B; the file downloads through both; it is used as the source of a second job and zipped; delete
removes its objects from the bucket. No process writes a file to its local media directory. And the
composer's in-process picker follows a staff price change at once on both web processes."""

from __future__ import annotations

import io
import re
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.reliability.harness import Stack, _free_port, wait_for

pytestmark = pytest.mark.timeout(600)

TIMINGS: dict[str, float] = {}


class Member:
    """A signed-in browser on one web host (the session cookie works on every host: sessions are shared)."""

    def __init__(self, url: str, cookies: httpx.Cookies | None = None) -> None:
        self.http = httpx.Client(base_url=url, timeout=30, cookies=cookies)

    def sign_in(self, username: str, password: str) -> None:
        self.http.get("/accounts/login/").raise_for_status()
        response = self.http.post(
            "/accounts/login/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": self.http.cookies["csrftoken"]},
        )
        assert response.status_code == 302, response.text[:500]

    def post(self, path: str, data: dict, files: dict | None = None, htmx: bool = True) -> httpx.Response:
        headers = {"X-CSRFToken": self.http.cookies["csrftoken"]}
        if htmx:
            headers["HX-Request"] = "true"
        return self.http.post(path, data=data, files=files, headers=headers)


def _png(size: tuple[int, int] = (96, 64)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


def _local_files(directories: list[Path]) -> list[Path]:
    return [p for d in directories if d.exists() for p in d.rglob("*") if p.is_file()]


def _timed(name: str, started: float) -> None:
    TIMINGS[name] = round(time.monotonic() - started, 2)


@pytest.fixture(scope="module")
def hosts(s3_server):
    # Not under pytest's basetemp: another pytest run on the machine resets /tmp/pytest-of-<user> to 0700,
    # and the embedded PostgreSQL (its own system user) could no longer reach its data directory.
    tmp_path = Path(tempfile.mkdtemp(prefix="studio-hosts-"))
    stack = Stack(tmp_path)
    bucket = s3_server.bucket_create()
    stack.env.update(s3_server.env(bucket))
    stack.env["API_RATE_LIMIT"] = "off"
    media = {name: tmp_path / name / "media" for name in ("web-a", "web-b", "worker-1", "worker-2")}

    def own_dirs(name: str) -> dict[str, str]:
        return {"MEDIA_ROOT": str(media[name]), "STUDIO_VAR_DIR": str(tmp_path / name / "var")}

    ports = {"web-a": _free_port(), "web-b": _free_port()}
    # The address providers and links use: the load balancer's, here web A's.
    stack.env["STUDIO_PUBLIC_URL"] = f"http://127.0.0.1:{ports['web-a']}"
    try:
        started = time.monotonic()
        for name in ("worker-1", "worker-2"):
            original = stack.env
            stack.env = {**original, **own_dirs(name)}
            stack.start_worker(name)
            stack.env = original
        urls = {
            name: stack.start_web(name, ports[name], WEB_WORKERS="1", WEB_THREADS="4", **own_dirs(name))
            for name in ("web-a", "web-b")
        }
        _timed("start two web processes and two workers", started)
        yield stack, urls, bucket, [*media.values(), tmp_path / "media"], s3_server
    finally:
        stack.close()
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_two_webs_and_two_workers_share_nothing_but_the_services(hosts):
    stack, urls, bucket, media_dirs, s3 = hosts
    a = Member(urls["web-a"])
    a.sign_in("drill", "drill-password-1")
    b = Member(urls["web-b"], cookies=a.http.cookies)  # the same browser, load-balanced to the other host

    started = time.monotonic()
    response = a.post(
        "/generate/",
        {"offer": "kubflow:nano-banana", "prompt": "poster of the two hosts"},
        files={"image_url__files": ("mine.png", _png(), "image/png")},
    )
    assert response.status_code == 200, response.text[:1000]
    (public_id,) = set(re.findall(r"/g/(gen_[A-Za-z0-9]+)/", response.text))
    _timed("submit with an upload on web A", started)
    upload_keys = [k for k in s3.keys(bucket) if "/sources/" in k]
    assert len(upload_keys) == 1, s3.keys(bucket)

    started = time.monotonic()

    def finished() -> str | None:
        card = b.http.get(f"/g/{public_id}/card/")
        assert card.status_code == 200
        match = re.search(rf"/g/{public_id}/files/([A-Za-z0-9_]+)/", card.text)
        return match.group(1) if match else None

    asset_id = wait_for(finished, timeout=120, interval=0.5, message="the card to finish on web B")
    _timed("job done, card finished through web B", started)
    report = stack.report([public_id])["generations"][public_id]
    assert report["status"] == "completed" and report["assets"] == 1
    logs = {name: (stack.directory / f"{name}.log").read_text() for name in ("worker-1", "worker-2")}
    ran_on = [name for name, text in logs.items() if public_id in text or "generation_advance_task" in text]
    assert ran_on, "no worker logged the job"

    started = time.monotonic()
    bodies = []
    for member in (a, b):
        response = member.http.get(f"/g/{public_id}/files/{asset_id}/?download=1")
        assert response.status_code == 302 and response.headers["location"].startswith(s3.url)
        assert "X-Amz-Signature=" in response.headers["location"]
        fetched = httpx.get(response.headers["location"], timeout=30)
        assert fetched.status_code == 200 and fetched.headers["content-disposition"].startswith("attachment")
        bodies.append(fetched.content)
        thumb = member.http.get(f"/g/{public_id}/files/{asset_id}/thumbnail/")
        assert thumb.status_code == 302 and httpx.get(thumb.headers["location"], timeout=30).content[:2] == b"\xff\xd8"
    assert bodies[0] == bodies[1] and Image.open(io.BytesIO(bodies[0])).size[0] > 0
    _timed("download through A and B (presigned)", started)

    started = time.monotonic()
    use = b.http.get(f"/g/{public_id}/files/{asset_id}/use/", params={"offer": "kubflow:nano-banana"})
    assert use.status_code == 302, use.text[:500]
    query = httpx.URL(use.headers["location"]).params
    shared = query["image_url"]
    provider_view = httpx.get(shared, timeout=30)  # what a provider fetching the source gets (no session)
    assert provider_view.status_code == 302 and provider_view.headers["location"].startswith(s3.url)
    assert httpx.get(provider_view.headers["location"], timeout=30).content == bodies[0]
    second = b.post(
        "/generate/", {"offer": "kubflow:nano-banana", "prompt": "again, from the first", "image_url": shared}
    )
    assert second.status_code == 200, second.text[:1000]
    (second_id,) = set(re.findall(r"/g/(gen_[A-Za-z0-9]+)/", second.text)) - {public_id}
    stack.wait_final([second_id], timeout=120)
    second_report = stack.report([second_id])["generations"][second_id]
    assert second_report["status"] == "completed", second_report
    _timed("use as source on B, second job done", started)

    started = time.monotonic()
    archive = a.http.get(f"/g/{public_id}/download/")
    assert archive.status_code == 200
    with zipfile.ZipFile(io.BytesIO(archive.content)) as zipped:
        (name,) = zipped.namelist()
        assert zipped.read(name) == bodies[0]
    _timed("zip through A", started)

    names = stack.drive("assets", public_id)["names"]
    assert len(names) == 2  # the output and its thumbnail
    assert all(f"media/{n}" in s3.keys(bucket) for n in names)
    started = time.monotonic()
    deleted = b.post(f"/g/{public_id}/delete/", {})
    assert deleted.status_code in {200, 302}, deleted.text[:500]
    wait_for(
        lambda: not any(f"media/{n}" in s3.keys(bucket) for n in names),
        timeout=60,
        interval=0.3,
        message="the deleted generation's objects to leave the bucket",
    )
    _timed("delete on B, objects removed by a worker", started)
    assert stack.drive("assets", public_id)["names"] == []
    assert [k for k in s3.keys(bucket) if "/outputs/" in k], "the second generation's output stays"

    assert _local_files(media_dirs) == [], "a process wrote to its local media directory"
    report = stack.report([public_id, second_id])
    assert report["drift"] == [] and report["open_holds"] == 0
    print("\nseveral-hosts drill timings (s):", TIMINGS)


def _picker_price(member: Member) -> str:
    page = member.http.get("/", follow_redirects=True)
    assert page.status_code == 200
    match = re.search(r"· Nano Banana — from ([\d.,]+) cr", page.text)
    assert match, "the composer shows no price for Nano Banana"
    return match.group(1)


def test_a_staff_price_change_reaches_every_web_process_at_once(hosts):
    stack, urls, *_ = hosts
    a = Member(urls["web-a"])
    a.sign_in("drill", "drill-password-1")
    b = Member(urls["web-b"], cookies=a.http.cookies)
    before = (_picker_price(a), _picker_price(b))
    assert before[0] == before[1]
    started = time.monotonic()
    stack.drive("markup", "kubflow", "2")  # staff doubles Kubflow's markup (from a third process)
    after = (_picker_price(a), _picker_price(b))
    TIMINGS["price change visible on A and B"] = round(time.monotonic() - started, 2)
    assert after[0] == after[1] != before[0], (before, after)
    assert float(after[0]) == pytest.approx(2 * float(before[0]), rel=0.01)
