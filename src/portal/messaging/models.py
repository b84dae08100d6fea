"""Messages between a dossier's clients and the office (R-MSG-1..7, R-OFF-4).

A message belongs to a dossier, so it is reached only through a dossier from
``Dossier.objects.visible_to``. Its attachments are ``documents.Document`` rows with
``message`` set: what a client attaches is a supplied document ("Door mij aangeleverd",
R-MSG-7), what the office attaches is correspondence.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import OfficeManager, office_field

#: R-MSG-5: the most characters a message's text may have. A character is a Unicode code point
#: and a line break (CR LF, CR or LF) is one character: ``text.normalise_newlines`` runs first,
#: here and in the browser (static/portal/messages.js counts the same way).
MAX_BODY_CHARS = 4000
MAX_SUBJECT_CHARS = 200


class Message(models.Model):
    class Direction(models.TextChoices):
        # From the client's point of view, as the manual puts it.
        INCOMING = "incoming", _("From the office")
        OUTGOING = "outgoing", _("To the office")

    office = office_field(verbose_name=_("office"))
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        related_name="messages",
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    subject = models.CharField(_("subject"), max_length=MAX_SUBJECT_CHARS)
    body = models.TextField(_("message"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reply_to = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
    )
    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)
    # R-OFF-4: the office marks a client's message handled once it has been dealt with.
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The one-time key of the compose form that sent this message: a form sent again (a retry
    # after a 503 or a lost response, a double click, "back" and send) finds the message
    # already stored and stores no second one. Empty for messages from other paths.
    submission_key = models.UUIDField(
        _("submission key"), null=True, blank=True, unique=True, editable=False
    )

    objects = OfficeManager["Message"]()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # A dossier's messages newest first (ORDER BY created_at DESC, id DESC), read
            # backwards: the page of 25 stops after 25 rows instead of sorting the dossier's
            # thousand messages with their read state and attachment counts.
            models.Index(fields=["dossier", "created_at", "id"], name="messaging_dossier_newest"),
            # The workspace inbox (and every count of waiting client messages): client messages
            # not handled yet, oldest first. The only index on (direction, handled_at): with a
            # general one beside it SQLite chose that one and sorted every waiting message.
            models.Index(
                fields=["created_at", "id"],
                name="messaging_waiting",
                condition=models.Q(direction="outgoing", handled_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    @property
    def is_incoming(self) -> bool:
        """From the office to the client."""
        return self.direction == self.Direction.INCOMING


class MessageRead(models.Model):
    """``user`` has opened ``message`` (R-MSG-2): read for that user only."""

    office = office_field(verbose_name=_("office"))
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    objects = OfficeManager["MessageRead"]()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "user"], name="messaging_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.message_id}"
