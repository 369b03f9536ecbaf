"""The API's one error shape: ``{"error": code, "message": text, ...details}``."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse


class ApiError(Exception):
    """A refused request, answered with ``status`` and a JSON body the client can act on."""

    def __init__(
        self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None, **details: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.details = details

    def response(self) -> JsonResponse:
        return error_response(self.status, self.code, self.message, headers=self.headers, **self.details)


def error_response(
    status: int, code: str, message: str, *, headers: dict[str, str] | None = None, **details: Any
) -> JsonResponse:
    response = JsonResponse({"error": code, "message": message, **details}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def bad_request(code: str, message: str, **details: Any) -> ApiError:
    return ApiError(400, code, message, **details)


def not_found(message: str = "Not found for this API key's team.") -> ApiError:
    return ApiError(404, "not_found", message)
