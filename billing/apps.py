from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "billing"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.signals import team_created
        from billing import receivers  # the @receiver ones connect on import

        team_created.connect(receivers.team_wallet_create, dispatch_uid="billing.team_wallet_create")
