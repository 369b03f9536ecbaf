from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from api.ratelimit import limit_parse
        from api.receivers import connect

        limit_parse(getattr(settings, "API_RATE_LIMIT", "60/minute"))  # ImproperlyConfigured at start, not per request
        connect()
