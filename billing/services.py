"""The only code that writes ledger entries.

Every function here runs in a transaction and moves a wallet with one
conditional ``UPDATE`` whose row count says whether it won: concurrent
requests can't overdraw a wallet (the update only matches while enough is
available) and a hold can't resolve twice (only an ``open`` hold matches).
The database backs both up: a check constraint keeps ``balance >= held``, a
trigger refuses to touch a resolved hold, unique indexes allow one capture and
one give-back per hold (migrations 0002 and 0004).
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.audit import audit_record
from accounts.models import Membership, Role, Team, User
from billing.models import (
    CREDITS_MAX,
    EntryKind,
    Hold,
    HoldState,
    JobRef,
    LedgerEntry,
    MemberLimit,
    TeamLimits,
    Wallet,
)
from billing.selectors import month_start, spend_this_month

logger = logging.getLogger(__name__)

HOLD_TTL = timedelta(hours=settings.HOLD_TTL_HOURS)
CENT = Decimal("0.01")


class BillingError(Exception):
    code = "billing_error"


class CreditsTooLarge(BillingError):
    """A grant that would take a wallet past what its balance column holds (``CREDITS_MAX``)."""

    code = "credits_too_large"

    def __init__(self, largest: Decimal) -> None:
        self.largest = largest
        super().__init__(
            f"The largest amount allowed is {largest} credits: a wallet holds at most {CREDITS_MAX} credits."
        )


class InsufficientCredits(BillingError):
    code = "insufficient_credits"

    def __init__(self, needed: Decimal, available: Decimal) -> None:
        self.needed = needed
        self.available = available
        super().__init__(
            f"This needs {needed} credits and the team has {available} available. Ask an owner or admin to add credits."
        )


class SpendLimitExceeded(InsufficientCredits):
    """A submission the wallet could pay but a monthly limit refuses.

    A subclass of InsufficientCredits so every caller that already shows that
    refusal to the user (the composer, the API) shows this one too; ``limit``
    says which limit (``team_budget`` or ``member_limit``) and ``available``
    how much is left under it.
    """

    code = "spend_limit_exceeded"

    def __init__(self, *, limit: str, needed: Decimal, left: Decimal, cap: Decimal, message: str) -> None:
        self.limit = limit
        self.needed = needed
        self.available = left
        self.cap = cap
        BillingError.__init__(self, message)


def _credits(amount: Decimal | int | str) -> Decimal:
    """A positive amount in whole cents (the ledger's precision); anything else is a programming error."""
    value = Decimal(amount)
    if value <= 0:
        raise ValueError(f"credit amounts must be positive, not {value}")
    if value != value.quantize(CENT):
        raise ValueError(f"credit amounts are whole cents, not {value}")
    return value.quantize(CENT)


def wallet_create(*, team: Team) -> Wallet:
    wallet, _ = Wallet.objects.get_or_create(team=team)
    return wallet


def _entry(**fields) -> LedgerEntry:
    return LedgerEntry.objects.create(**fields)


def _wallet_locked(team: Team) -> Wallet:
    return Wallet.objects.select_for_update().get(team=team)


@transaction.atomic
def credits_grant(
    *, team: Team, amount: Decimal, reason: str, actor: User | None = None, idempotency_key: str | None = None
) -> LedgerEntry:
    """Add credits to a team's wallet (staff grants, the demo's starting credits). Idempotent by key."""
    amount = _credits(amount)
    if not reason.strip():
        raise ValueError("A grant needs a reason")
    key = idempotency_key or f"grant:{uuid.uuid4()}"
    wallet = _wallet_locked(team)  # a retry with the same key waits here, then finds the first entry
    existing = LedgerEntry.objects.filter(idempotency_key=key).first()
    if existing:
        return existing
    if amount > CREDITS_MAX - wallet.balance:
        raise CreditsTooLarge(largest=max(CREDITS_MAX - wallet.balance, Decimal(0)))
    Wallet.objects.filter(pk=wallet.pk).update(balance=F("balance") + amount, updated_at=timezone.now())
    entry = _entry(
        wallet=wallet,
        kind=EntryKind.GRANT,
        balance_delta=amount,
        held_delta=Decimal(0),
        actor=actor,
        reason=reason.strip(),
        idempotency_key=key,
    )
    if actor is not None:
        audit_record(
            action="credits.grant",
            team=team,
            actor=actor,
            summary=f"Granted {amount} credits: {reason.strip()}",
            detail={"amount": str(amount), "entry": entry.pk},
        )
    return entry


class RefundTooLarge(BillingError):
    code = "refund_too_large"

    def __init__(self, *, largest: Decimal) -> None:
        self.largest = largest
        super().__init__(f"At most {largest} credits can be refunded for this job (what it was charged, less refunds).")


def refundable_for(*, wallet_id: int, generation_id: int) -> Decimal:
    """What a job was charged less what was refunded for it, from the ledger alone."""
    deltas = LedgerEntry.objects.filter(wallet_id=wallet_id, generation_id=generation_id).values_list(
        "balance_delta", flat=True
    )
    return -sum(deltas, Decimal(0))


@transaction.atomic
def credits_refund(
    *, team: Team, generation_id: int, amount: Decimal, reason: str, actor: User, idempotency_key: str | None = None
) -> LedgerEntry:
    """Give back part of what a job was charged (a delivery that fell short): an adjustment linked to the job,
    never more than it was charged less earlier refunds (checked under the wallet's lock), audited."""
    amount = _credits(amount)
    if not reason.strip():
        raise ValueError("A refund needs a reason")
    key = idempotency_key or f"refund:{uuid.uuid4()}"
    wallet = _wallet_locked(team)  # refunds of one wallet run one at a time, so two can't both fit
    existing = LedgerEntry.objects.filter(idempotency_key=key).first()
    if existing:
        return existing
    largest = refundable_for(wallet_id=wallet.pk, generation_id=generation_id)
    if amount > largest:
        raise RefundTooLarge(largest=max(largest, Decimal(0)))
    Wallet.objects.filter(pk=wallet.pk).update(balance=F("balance") + amount, updated_at=timezone.now())
    # What was charged has a capture entry: the refund names the job as that charge does.
    charged = (
        LedgerEntry.objects.filter(wallet_id=wallet.pk, generation_id=generation_id)
        .order_by("-created_at", "-id")
        .values("generation_ref", "member_id", "offer_key", "provider_slug")
        .first()
    )
    entry = _entry(
        wallet=wallet,
        kind=EntryKind.ADJUSTMENT,
        balance_delta=amount,
        held_delta=Decimal(0),
        generation_id=generation_id,
        **(charged or {}),
        actor=actor,
        reason=reason.strip(),
        idempotency_key=key,
    )
    audit_record(
        action="credits.refund",
        team=team,
        actor=actor,
        summary=f"Refunded {amount} credits: {reason.strip()}",
        detail={"amount": str(amount), "entry": entry.pk, "generation": generation_id},
    )
    return entry


@transaction.atomic
def credits_deduct(
    *, team: Team, amount: Decimal, reason: str, actor: User | None = None, idempotency_key: str | None = None
) -> LedgerEntry:
    """Take credits out of a team's wallet (a staff correction). Never below what running jobs hold."""
    amount = _credits(amount)
    if not reason.strip():
        raise ValueError("A deduction needs a reason")
    key = idempotency_key or f"deduct:{uuid.uuid4()}"
    wallet = _wallet_locked(team)
    existing = LedgerEntry.objects.filter(idempotency_key=key).first()
    if existing:
        return existing
    if wallet.available < amount:
        raise BillingError(
            f"Can't deduct {amount} credits: the team has {wallet.available} available"
            f"{f' ({wallet.held} held for running jobs)' if wallet.held else ''}."
        )
    Wallet.objects.filter(pk=wallet.pk).update(balance=F("balance") - amount, updated_at=timezone.now())
    entry = _entry(
        wallet=wallet,
        kind=EntryKind.DEDUCTION,
        balance_delta=-amount,
        held_delta=Decimal(0),
        actor=actor,
        reason=reason.strip(),
        idempotency_key=key,
    )
    audit_record(
        action="credits.deduct",
        team=team,
        actor=actor,
        summary=f"Deducted {amount} credits: {reason.strip()}",
        detail={"amount": str(amount), "entry": entry.pk},
    )
    return entry


class _Refused(Exception):
    pass


def _refs(hold: Hold, job: JobRef | None = None) -> dict:
    """The job's plain references for an entry of ``hold``; ``job`` (the job as it ran) gives its offer."""
    if job is not None and job.id != hold.generation_id:
        raise ValueError(f"{job.public_id} is not the job hold {hold.public_id} is for")
    return {
        "generation_id": hold.generation_id,
        "generation_ref": hold.generation_ref,
        "member_id": hold.member_id,
        "offer_key": job.offer_key if job else hold.offer_key,
        "provider_slug": job.provider_slug if job else hold.provider_slug,
    }


def credit_hold(*, team: Team, amount: Decimal, job: JobRef, actor: User | None, reason: str = "") -> Hold:
    """Hold credits for a job (``Generation.ledger_ref``). Must run inside the transaction that creates it.

    The hold and its entry are written first and the wallet moved last, so
    the wallet row (which every hold of the team waits on) stays locked only
    from that update to the commit. When the wallet can't pay, the savepoint
    takes the hold and its entry back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("credit_hold must run in the transaction that creates the generation")
    amount = _credits(amount)
    wallet_id = Wallet.objects.filter(team=team).values_list("pk", flat=True).get()
    try:
        with transaction.atomic():
            hold = Hold.objects.create(
                wallet_id=wallet_id,
                generation_id=job.id,
                generation_ref=job.public_id,
                member_id=job.member_id,
                offer_key=job.offer_key,
                provider_slug=job.provider_slug,
                amount=amount,
                expires_at=timezone.now() + HOLD_TTL,
            )
            _entry(
                wallet_id=wallet_id,
                kind=EntryKind.HOLD,
                balance_delta=Decimal(0),
                held_delta=amount,
                hold=hold,
                **_refs(hold),
                actor=actor,
                reason=reason or f"Hold for {job.public_id}",
                idempotency_key=f"hold:{hold.public_id}",
            )
            paid = Wallet.objects.filter(pk=wallet_id, balance__gte=F("held") + amount).update(
                held=F("held") + amount, updated_at=timezone.now()
            )
            if not paid:
                raise _Refused
    except _Refused:
        raise InsufficientCredits(needed=amount, available=Wallet.objects.get(pk=wallet_id).available) from None
    return hold


def _resolve(hold: Hold, *, state: str, captured: Decimal) -> bool:
    """Move an open hold to ``state``; False when another call resolved it first."""
    return bool(
        Hold.objects.filter(pk=hold.pk, state=HoldState.OPEN).update(
            state=state, captured=captured, resolved_at=timezone.now()
        )
    )


@transaction.atomic
def hold_capture(*, hold: Hold, amount: Decimal, reason: str = "", job: JobRef | None = None) -> bool:
    """Charge ``amount`` (at most the hold) and release the rest. Exactly once per hold.

    ``job`` is the job as it ran: after a failover its offer is not the one the credits were held for, and
    the charge names the one that did the work (usage counts it there).
    """
    amount = Decimal(amount)
    if amount < 0 or amount > hold.amount or amount != amount.quantize(CENT):
        raise ValueError(f"capture of {amount} is outside the hold of {hold.amount}")
    refs = _refs(hold, job)
    if not _resolve(hold, state=HoldState.CAPTURED, captured=amount):
        return False
    rest = hold.amount - amount
    Wallet.objects.filter(pk=hold.wallet_id).update(
        balance=F("balance") - amount, held=F("held") - hold.amount, updated_at=timezone.now()
    )
    if amount > 0:
        _entry(
            wallet_id=hold.wallet_id,
            kind=EntryKind.CAPTURE,
            balance_delta=-amount,
            held_delta=-amount,
            hold=hold,
            **refs,
            reason=reason or "Charged on completion",
            idempotency_key=f"capture:{hold.public_id}",
        )
    if rest > 0:
        _entry(
            wallet_id=hold.wallet_id,
            kind=EntryKind.RELEASE,
            balance_delta=Decimal(0),
            held_delta=-rest,
            hold=hold,
            **refs,
            reason="Unused part of the hold",
            idempotency_key=f"release:{hold.public_id}",
        )
    return True


@transaction.atomic
def hold_release(*, hold: Hold, reason: str, expired: bool = False) -> bool:
    """Give a whole hold back. Exactly once per hold; False if it was already resolved."""
    state = HoldState.EXPIRED if expired else HoldState.RELEASED
    if not _resolve(hold, state=state, captured=Decimal(0)):
        return False
    Wallet.objects.filter(pk=hold.wallet_id).update(held=F("held") - hold.amount, updated_at=timezone.now())
    _entry(
        wallet_id=hold.wallet_id,
        kind=EntryKind.EXPIRY if expired else EntryKind.RELEASE,
        balance_delta=Decimal(0),
        held_delta=-hold.amount,
        hold=hold,
        **_refs(hold),
        reason=reason,
        idempotency_key=f"release:{hold.public_id}",
    )
    return True


def holds_expire(*, now=None, limit: int = 500) -> int:
    """Release holds left open past their expiry (a crash between steps). Safe to run twice at once.

    Each hold is released in its own transaction by the conditional update in
    ``_resolve``: a second sweeper waits on the first one's row lock, then
    finds the hold no longer open and skips it.
    """
    now = now or timezone.now()
    released = 0
    for hold in Hold.objects.filter(state=HoldState.OPEN, expires_at__lt=now).order_by("expires_at")[:limit]:
        try:
            if hold_release(hold=hold, reason="Hold expired", expired=True):
                released += 1
        except IntegrityError:
            continue  # another sweeper wrote this release first
    if released:
        logger.info("holds_expire: released %s expired hold(s)", released)
    return released


# --- limits ---------------------------------------------------------------------


def _fmt(value: Decimal) -> str:
    return f"{value.quantize(CENT):,}"


def spend_limits_check(*, team: Team, user: User, amount: Decimal) -> None:
    """Refuse a submission that would take the team past its monthly budget or the member past their limit.

    Runs in the submission's transaction, before ``credit_hold``. The limit
    rows are locked (team budget first, then the member's limit, then the
    wallet in credit_hold: always that order), so concurrent submissions are
    checked one after another and can't pass a limit together. Teams without
    limits take no lock here.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("spend_limits_check must run in the transaction that holds the credits")
    amount = Decimal(amount)
    limits = TeamLimits.objects.select_for_update().filter(team=team, monthly_budget__isnull=False).first()
    member_limit = (
        MemberLimit.objects.select_for_update(of=("self",)).filter(membership__team=team, membership__user=user).first()
    )
    if limits is not None:
        spent = spend_this_month(team=team)
        left = max(limits.monthly_budget - spent, Decimal(0))
        if amount > left:
            raise SpendLimitExceeded(
                limit="team_budget",
                needed=amount,
                left=left,
                cap=limits.monthly_budget,
                message=(
                    f"This needs {_fmt(amount)} credits and {team.name}'s monthly budget has {_fmt(left)} left "
                    f"(budget {_fmt(limits.monthly_budget)}). Ask an owner or admin to raise the budget."
                ),
            )
        if limits.alert_at is not None and spent + amount >= limits.alert_at:
            _budget_alert(limits=limits, spent=spent + amount)
    if member_limit is not None:
        spent = spend_this_month(team=team, user=user)
        left = max(member_limit.monthly_limit - spent, Decimal(0))
        if amount > left:
            raise SpendLimitExceeded(
                limit="member_limit",
                needed=amount,
                left=left,
                cap=member_limit.monthly_limit,
                message=(
                    f"This needs {_fmt(amount)} credits and your monthly spend limit in {team.name} has "
                    f"{_fmt(left)} left (limit {_fmt(member_limit.monthly_limit)}). "
                    "Ask an owner or admin to raise it."
                ),
            )


def _budget_alert(*, limits: TeamLimits, spent: Decimal) -> None:
    """Tell the team's owners and admins, once a month, that spend reached the alert threshold."""
    month = month_start().date()
    claimed = (
        TeamLimits.objects.filter(pk=limits.pk).exclude(budget_alerted_month=month).update(budget_alerted_month=month)
    )
    if not claimed:
        return
    team = limits.team
    summary = (
        f"{team.name} has used {_fmt(spent)} of its {_fmt(limits.monthly_budget)} monthly budget "
        f"({limits.alert_percent}% alert threshold)."
    )
    audit_record(action="budget.alert", team=team, summary=summary, detail={"spent": str(spent)})
    recipients = list(
        Membership.objects.filter(team=team, role__in=[Role.OWNER, Role.ADMIN])
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )

    def send() -> None:
        try:
            send_mail(f"Budget alert: {team.name}", summary, None, recipients)
        except Exception:  # an alert that can't be mailed must not break anything; it is in the audit log
            logger.exception("budget alert for %s could not be sent", team.slug)

    if recipients:
        transaction.on_commit(send)


@transaction.atomic
def team_limits_set(
    *, team: Team, actor: User, monthly_budget: Decimal | None, alert_percent: int, low_balance: Decimal
) -> TeamLimits:
    """Set the team's monthly budget (None: no budget), its alert threshold and the low-balance warning."""
    if monthly_budget is not None:
        monthly_budget = _credits(monthly_budget)
    if not 1 <= alert_percent <= 100:
        raise ValueError("The alert threshold is a percentage from 1 to 100")
    low_balance = Decimal(low_balance).quantize(CENT)
    limits, _ = TeamLimits.objects.select_for_update().get_or_create(team=team)
    before = {
        "monthly_budget": str(limits.monthly_budget) if limits.monthly_budget is not None else None,
        "alert_percent": limits.alert_percent,
        "low_balance": str(limits.low_balance),
    }
    rearm = limits.monthly_budget != monthly_budget or limits.alert_percent != alert_percent
    limits.monthly_budget = monthly_budget
    limits.alert_percent = alert_percent
    limits.low_balance = low_balance
    limits.updated_by = actor
    fields = ["monthly_budget", "alert_percent", "low_balance", "updated_by", "updated_at"]
    if rearm:  # a new budget or threshold deserves a new alert this month
        limits.budget_alerted_month = None
        fields.append("budget_alerted_month")
    limits.save(update_fields=fields)
    after = {
        "monthly_budget": str(monthly_budget) if monthly_budget is not None else None,
        "alert_percent": alert_percent,
        "low_balance": str(low_balance),
    }
    if before != after:
        budget = _fmt(monthly_budget) if monthly_budget is not None else "none"
        audit_record(
            action="limits.team",
            team=team,
            actor=actor,
            summary=f"Set the monthly budget to {budget}, alert at {alert_percent}%, low balance at {_fmt(low_balance)}",
            detail={"before": before, "after": after},
        )
    return limits


@transaction.atomic
def member_limit_set(*, membership: Membership, actor: User, monthly_limit: Decimal | None) -> MemberLimit | None:
    """Set (or with None, remove) one member's monthly spend limit in their team."""
    current = MemberLimit.objects.select_for_update().filter(membership=membership).first()
    before = str(current.monthly_limit) if current else None
    if monthly_limit is None:
        if current:
            current.delete()
        result = None
    else:
        monthly_limit = _credits(monthly_limit)
        if current:
            current.monthly_limit = monthly_limit
            current.updated_by = actor
            current.save(update_fields=["monthly_limit", "updated_by", "updated_at"])
            result = current
        else:
            result = MemberLimit.objects.create(membership=membership, monthly_limit=monthly_limit, updated_by=actor)
    after = str(monthly_limit) if monthly_limit is not None else None
    if before != after:
        audit_record(
            action="limits.member",
            team=membership.team,
            actor=actor,
            summary=(
                f"Set {membership.user.username}'s monthly limit to {_fmt(monthly_limit)}"
                if monthly_limit is not None
                else f"Removed {membership.user.username}'s monthly limit"
            ),
            detail={"member": membership.public_id, "before": before, "after": after},
        )
    return result
