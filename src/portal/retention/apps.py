from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetentionConfig(AppConfig):
    """Retention of the portal's copies after a dossier closes, and the erasure of clients
    (R-RET-1, R-RET-3)."""

    name = "portal.retention"
    verbose_name = _("Retention")

    def ready(self) -> None:
        # The erasure's beat task lives in erasure.py, which Celery's autodiscovery (tasks.py
        # only) does not import.
        from . import erasure  # noqa: F401
