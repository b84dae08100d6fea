from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Django REST framework's Dutch catalogue says "Dit veld is vereist." for this message, and app
# catalogues win over Django's own: our catalogue (LOCALE_PATHS, first) keeps Django's wording
# on the forms.
gettext_noop("This field is required.")


class IntegrationsConfig(AppConfig):
    """The office's connections to its case-management system: API tokens, idempotency records,
    webhook endpoints and deliveries, the changes feed. The label stays ``api``: the tables and
    migrations keep their names; the HTTP interface is ``portal.api``."""

    name = "portal.integrations"
    label = "api"
    verbose_name = _("API and webhooks")

    def ready(self) -> None:
        from . import changes, webhooks  # noqa: F401  (connect the signal receivers)
