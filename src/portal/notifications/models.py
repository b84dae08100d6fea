"""E-mail outbox: every e-mail is a row first, written in the same transaction as the change
that caused it, and delivered by a task after commit. A broker or SMTP outage delays an e-mail;
it never loses one (``manage.py send_pending_email`` or the periodic task retries)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import OfficeManager, office_field


class OutgoingEmail(models.Model):
    office = office_field(verbose_name=_("office"))
    to = models.EmailField(_("to"))
    from_email = models.CharField(_("from"), max_length=300, blank=True)
    subject = models.CharField(_("subject"), max_length=300)
    kind = models.CharField(_("kind"), max_length=64)
    # Bodies are cleared once sent: the links in them are secrets.
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True, db_index=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)

    objects = OfficeManager["OutgoingEmail"]()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")

    def __str__(self) -> str:
        return f"{self.kind} → {self.to}"


class NotificationPreferences(models.Model):
    """Which e-mails a client wants (R-ME-3). No row: everything on (the default)."""

    office = office_field(verbose_name=_("office"))
    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="notification_preferences"
    )
    documents = models.BooleanField(_("New documents have been published"), default=True)
    questionnaires = models.BooleanField(_("A questionnaire has been sent"), default=True)
    messages = models.BooleanField(_("The handler has sent me a message"), default=True)

    objects = OfficeManager["NotificationPreferences"]()

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class PendingNotification(models.Model):
    """An event waiting for the user's next notification e-mail (the digest)."""

    class Event(models.TextChoices):
        DOCUMENT = "document", _("new document")
        QUESTIONNAIRE = "questionnaire", _("questionnaire")
        MESSAGE = "message", _("message")

    office = office_field(verbose_name=_("office"))
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=20, choices=Event.choices)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = OfficeManager["PendingNotification"]()

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return f"{self.event} for {self.user_id}"
