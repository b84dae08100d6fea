"""The retention rules of an office (R-RET-1), and the files waiting to be removed from storage.

The portal holds copies: the notarial archive is kept by the office elsewhere. Per kind of
content, the office sets how many months the portal keeps its copies after a dossier closes
(``Dossier.closed_at``); the defaults and their reasons are in docs/retention.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import OfficeManager, office_field

if TYPE_CHECKING:  # the type of a lazily translated text
    from django.utils.functional import _StrPromise


class Kind(models.TextChoices):
    """What retention removes, each on its own period."""

    CORRESPONDENCE = "correspondence", _("Correspondence")
    DOCUMENTS = "documents", _("Documents")
    SUPPLIED = "supplied", _("Supplied by the client")
    MESSAGES = "messages", _("Messages with their attachments")
    ANSWERS = "answers", _("Questionnaire answers")


# At least a month: there is no "keep forever" (the portal is no archive; a legal hold keeps a
# dossier that must stay). At most ten years.
MIN_MONTHS = 1
MAX_MONTHS = 120

# The defaults (docs/retention.md says why).
DEFAULT_MONTHS = {
    Kind.CORRESPONDENCE: 12,
    Kind.DOCUMENTS: 12,
    Kind.SUPPLIED: 3,
    Kind.MESSAGES: 12,
    Kind.ANSWERS: 6,
}


def _months(label: _StrPromise, kind: Kind) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        label,
        default=DEFAULT_MONTHS[kind],
        validators=[MinValueValidator(MIN_MONTHS), MaxValueValidator(MAX_MONTHS)],
        help_text=_("Months after the dossier is closed, from 1 to 120."),
    )


class RetentionRules(models.Model):
    """How long an office's portal keeps each kind of content after a dossier closes. One row
    per office, made with the defaults when first asked for."""

    office = office_field(verbose_name=_("office"))
    correspondence_months = _months(_("correspondence (months)"), Kind.CORRESPONDENCE)
    documents_months = _months(_("documents (months)"), Kind.DOCUMENTS)
    supplied_months = _months(_("supplied by the client (months)"), Kind.SUPPLIED)
    messages_months = _months(_("messages with their attachments (months)"), Kind.MESSAGES)
    answers_months = _months(_("questionnaire answers (months)"), Kind.ANSWERS)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OfficeManager["RetentionRules"]()

    class Meta:
        verbose_name = _("retention periods")
        verbose_name_plural = _("retention periods")
        constraints = [
            models.UniqueConstraint(fields=["office"], name="retention_rules_one_per_office")
        ]

    def __str__(self) -> str:
        return str(_("Retention periods"))

    def months(self, kind: Kind | str) -> int:
        return int(getattr(self, f"{kind}_months"))


class FileRemoval(models.Model):
    """A stored file whose row retention has deleted, still to be removed from storage.

    Written in the same transaction that deletes the rows, and deleted once the file is gone:
    a crash between the two leaves this row, and the next run removes the file. Holds the
    random storage name only (never the user's file name)."""

    office = office_field(verbose_name=_("office"))
    name = models.CharField(_("stored name"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = OfficeManager["FileRemoval"]()

    class Meta:
        verbose_name = _("file to remove")
        verbose_name_plural = _("files to remove")

    def __str__(self) -> str:
        return self.name
