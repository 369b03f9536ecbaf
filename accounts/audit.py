"""The append-only audit log's one writer. A module of its own, importing only the models, so every app
(accounts' own lockouts, billing, catalog, generations, api) records what it did without a cycle."""

from __future__ import annotations

from accounts.models import AuditEvent, Team, User


def audit_record(
    *, action: str, summary: str, team: Team | None = None, actor: User | None = None, detail: dict | None = None
) -> AuditEvent:
    """Write one line of the append-only audit log (who did what, to which team)."""
    return AuditEvent.objects.create(action=action, summary=summary[:300], team=team, actor=actor, detail=detail or {})
