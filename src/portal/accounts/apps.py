from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # The session timeout's login receiver must be connected before the first login, not
        # when the middleware module is first imported (at the first request).
        from . import lockout, session_timeout  # noqa: F401
