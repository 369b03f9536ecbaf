"""The Content-Security-Policy every page sends, and pages that need nothing it refuses.

The policy (project/settings.py, django-csp): scripts from 'self' with a per-request nonce, no inline
script, handler or style, no eval, ``object-src 'none'``, ``frame-ancestors 'none'``. The browser tests
(tests/conftest.py ``csp_violations_watch``) fail on any violation Chromium reports; the last test here
shows that watch does see one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from catalog.services import catalog_sync
from tests.conftest import client_for_team, csp_violations_watch, signed_in_page

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# What the policy refuses in markup: inline handlers, style attributes and blocks, inline scripts,
# and htmx features that need eval (hx-on, js: values, trigger filters in brackets).
REFUSED = {
    "an inline handler": re.compile(r"<[^>]*\son[a-z]+\s*=", re.I),
    "a style attribute": re.compile(r"<[^>]*\sstyle\s*=", re.I),
    "a style block": re.compile(r"<style[\s>]", re.I),
    "an inline script": re.compile(r"<script(?![^>]*\ssrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "hx-on": re.compile(r"\shx-on[:-]", re.I),
    "a js: value": re.compile(r"hx-(?:vals|vars|headers)\s*=\s*[\"']\s*(?:js|javascript):", re.I),
    "a trigger filter": re.compile(r"hx-trigger\s*=\s*\"[^\"]*\[", re.I),
}


def _policy(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in directives}


def _refused_in(html: str) -> list[str]:
    return [f"{what}: {match.group(0)[:120]}" for what, rx in REFUSED.items() for match in rx.finditer(html)]


def test_no_template_holds_what_the_policy_refuses():
    found = {
        str(path.relative_to(TEMPLATES)): _refused_in(path.read_text())
        for path in TEMPLATES.rglob("*.html")
        if _refused_in(path.read_text())
    }
    assert not found, found


@pytest.fixture
def member(client, people, media_root):
    catalog_sync()
    return client_for_team(client, people.owner, people.team)


PAGES = [
    "/gallery/",
    "/gallery/?offer=cliprise:elevenlabs-speech-to-text",  # a media field: file picker, names, lengths
    "/gallery/?offer=kubflow:nano-banana-pro",
    "/boards/",
    "/catalog/",
    "/billing/",
    "/team/members/",
    "/team/limits/",
    "/team/usage/",
    "/settings/api-keys/",
    "/api/v1/docs/",
    "/accounts/login/",
]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_sends_the_policy_and_nothing_it_refuses(member, path):
    response = member.get(path)
    assert response.status_code == 200
    policy = _policy(response)
    html = response.content.decode()
    nonces = set(re.findall(r"<script[^>]*\snonce=\"([^\"]+)\"", html))
    assert len(nonces) == 1, "every script carries the one nonce of this response"
    assert policy["script-src"] == ["'self'", f"'nonce-{nonces.pop()}'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    assert not any("unsafe" in source for sources in policy.values() for source in sources)
    scripts = [tag for tag in re.findall(r"<script[^>]*>", html) if 'type="application/json"' not in tag]
    assert scripts == re.findall(r"<script\ssrc=\"/static/[^\"]+\"[^>]*>", html), "only the studio's own files"
    assert not _refused_in(html), _refused_in(html)
    assert '"allowEval": false' in html, "htmx is told not to eval"


@pytest.mark.parametrize("path", ["/boards/", "/gallery/"])
def test_the_nonce_is_new_for_each_response(member, path):
    """The gallery too, whose second answer comes from its page cache with this response's nonce put in."""
    seen = []
    for _ in range(2):
        response = member.get(path)
        nonce = _policy(response)["script-src"][1].removeprefix("'nonce-").removesuffix("'")
        assert set(re.findall(r"<script[^>]*\snonce=\"([^\"]+)\"", response.content.decode())) == {nonce}
        seen.append(nonce)
    assert seen[0] != seen[1]


@pytest.mark.browser
def test_the_browser_watch_sees_a_violation(chromium, live_server, people):
    """The watch the browser tests rely on is not blind: an inline style and an inline script are reported."""
    with (
        pytest.raises(AssertionError, match="Content-Security-Policy violations"),
        signed_in_page(chromium, live_server, people.owner, people.team) as page,
    ):
        page.goto("/gallery/")
        page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
        page.evaluate(
            "const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s)"
        )
        page.wait_for_timeout(300)
        assert page.evaluate("window.ran") is None, "the inline script did not run"
    context = chromium.new_context(base_url=live_server.url)
    page = context.new_page()
    violations = csp_violations_watch(page)
    page.goto("/accounts/login/")
    page.wait_for_timeout(200)
    context.close()
    assert violations == [], "a page of the studio itself reports none"


@pytest.mark.browser
def test_the_admin_works_under_the_policy(chromium, live_server, people):
    """Django's admin ships no inline script or style: its pages open under the policy with no violation."""
    from accounts.models import User

    User.objects.filter(pk=people.owner.pk).update(is_staff=True, is_superuser=True)
    people.owner.refresh_from_db()
    with signed_in_page(chromium, live_server, people.owner, people.team) as page:
        for path in ("/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{people.teammate.pk}/change/",
                     "/admin/accounts/team/add/", "/admin/billing/ledgerentry/"):  # fmt: skip
            page.goto(path)
            assert "/admin/login/" not in page.url and page.locator("#content").count() == 1, path
