"""System checks of the upload path (R-X-3), run by ``manage.py check --deploy``."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

W_NO_SCANNER = Warning(
    "Uploads are not scanned for malware: CLAMAV_URL is empty.",
    hint=(
        "Run a ClamAV daemon and set CLAMAV_URL (tcp://host:3310 or unix:///path/clamd.ctl). "
        "If files are scanned elsewhere, say so with CLAMAV_DISABLED=1."
    ),
    id="portal.W013",
)


@register(Tags.security, deploy=True)
def scanner_configured(app_configs=None, **kwargs) -> list[Warning]:
    """Production without a virus scanner is a warning, unless it is meant (CLAMAV_DISABLED)."""
    if settings.DEBUG or settings.CLAMAV_URL or settings.CLAMAV_DISABLED:
        return []
    return [W_NO_SCANNER]
