"""README's production environment passes ``manage.py check --deploy`` with no warning."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from django.conf import settings

from tests.conftest import ROOT


def _documented_env() -> dict[str, str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Running in production", 1)[1]
    block = re.search(r"```env\n(.*?)```", section, re.S)
    assert block, "README's production section has no ```env block"
    pairs = [line.split("=", 1) for line in block.group(1).splitlines() if line.strip() and not line.startswith("#")]
    return {name: value for name, value in pairs}


def test_the_documented_production_environment_passes_check_deploy(tmp_path):
    env = {**os.environ, **_documented_env(), "STUDIO_VAR_DIR": str(tmp_path)}
    # The check connects to nothing; this suite's own servers stand in for the documented hosts anyway.
    # The browser fixture sets DJANGO_ALLOW_ASYNC_UNSAFE for this process; a deployment never has it.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env["DATABASE_URL"], env["REDIS_URL"] = os.environ.get("DATABASE_URL") or _db_url(), settings.REDIS_URL
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout + result.stderr


def test_without_the_production_environment_check_deploy_complains(tmp_path):
    env = {**os.environ, "STUDIO_VAR_DIR": str(tmp_path), "DATABASE_URL": _db_url(), "REDIS_URL": settings.REDIS_URL}
    for name in _documented_env():
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0 and "security.W018" in result.stdout + result.stderr  # DEBUG on


def _db_url() -> str:
    db = settings.DATABASES["default"]
    host = db.get("HOST") or ""
    if host.startswith("/"):
        return f"postgresql://{db.get('USER') or ''}@/{db['NAME']}?host={host}"
    return (
        f"postgresql://{db.get('USER') or ''}:{db.get('PASSWORD') or ''}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"
    )
