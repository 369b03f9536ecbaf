"""Boards: a team's named sets of generations, and putting a generation on one."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import team_member_required
from generations.selectors import GalleryFilters, board_for_team, boards_with_covers, gallery_page, generation_for_team
from generations.services.gallery import BoardError, board_add, board_create, board_delete, board_remove, board_rename
from generations.views.common import _back, _cards_html, _fragment


@team_member_required
@require_POST
def add_to_board(request: HttpRequest, public_id: str) -> HttpResponse:
    """Put the generation on a chosen board, or on a new one named in the same form."""
    generation = generation_for_team(team=request.team, public_id=public_id)
    try:
        if request.POST.get("new_board", "").strip():
            board = board_create(team=request.team, user=request.user, name=request.POST["new_board"])
        else:
            board = board_for_team(team=request.team, public_id=request.POST.get("board", ""))
        added = board_add(board=board, generation=generation, user=request.user)
    except BoardError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Added to {board.name}." if added else f"Already on {board.name}.")
    return _back(request, reverse("generations:detail", args=[public_id]))  # the compare grid comes back to itself


@team_member_required
@require_http_methods(["GET", "POST"])
def boards(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            board = board_create(team=request.team, user=request.user, name=request.POST.get("name", ""))
        except BoardError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Board “{board.name}” created.")
            return redirect("generations:board", public_id=board.public_id)
    return render(request, "generations/boards.html", {"boards": boards_with_covers(team=request.team)})


@team_member_required
@require_GET
def board(request: HttpRequest, public_id: str) -> HttpResponse:
    """A board's own page: its generations, newest first, in pages like the gallery."""
    board = board_for_team(team=request.team, public_id=public_id)
    filters = GalleryFilters(board=board.public_id)
    after = request.GET.get("after") or None
    page = gallery_page(team=request.team, user=request.user, filters=filters, after=after)
    base = reverse("generations:board", args=[board.public_id])
    context = {
        "board": board,
        "page": page,
        "filters": filters,
        "cards_html": _cards_html(request, page.rows, board=board),
        "more_url": f"{base}?{urlencode({'after': page.next_cursor})}" if page.next_cursor else "",
        "poll_interval": settings.GENERATION_POLL_INTERVAL_MS,
    }
    if request.htmx and after and not request.htmx.history_restore_request:
        return _fragment(request, "generations/gallery.html#page", context)
    return render(request, "generations/board.html", context)


@team_member_required
@require_POST
def board_rename_view(request: HttpRequest, public_id: str) -> HttpResponse:
    board = board_for_team(team=request.team, public_id=public_id)
    try:
        board_rename(board=board, name=request.POST.get("name", ""))
    except BoardError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Board renamed.")
    return redirect("generations:board", public_id=public_id)


@team_member_required
@require_POST
def board_delete_view(request: HttpRequest, public_id: str) -> HttpResponse:
    board = board_for_team(team=request.team, public_id=public_id)
    board_delete(board=board)
    messages.success(request, f"Board “{board.name}” deleted. Its generations are still in the gallery.")
    return redirect("generations:boards")


@team_member_required
@require_POST
def board_remove_view(request: HttpRequest, public_id: str, generation_id: str) -> HttpResponse:
    board = board_for_team(team=request.team, public_id=public_id)
    generation = generation_for_team(team=request.team, public_id=generation_id)
    board_remove(board=board, generation=generation)
    if request.htmx:
        return HttpResponse("")  # the card is swapped out of the board's page
    messages.success(request, f"Removed from {board.name}.")
    return _back(request, reverse("generations:board", args=[public_id]))
