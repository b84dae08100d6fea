"""Actions ("Acties", R-HOME-3, R-Q-1..4, R-OFF-5): questionnaires the office sends to a client
for a dossier, and upload requests ("Upload verzoek").

Staff define questionnaire templates (pages, questions, both languages). Sending one freezes
it: the sent action keeps a JSON snapshot of the template (``Action.snapshot``), so editing or
deleting the template later changes nothing that was sent or answered. Answers are kept on the
action as JSON, keyed by the snapshot's question keys.

``Action.objects.visible_to(user)`` reaches actions only through
``Dossier.objects.visible_to(user)``: a client sees the actions sent to their client (a company's
are shared by its accounts) in dossiers they may still see.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.core.scoping import OfficeManager, office_field
from portal.dossiers.models import Dossier


class QuestionKind(models.TextChoices):
    SHORT_TEXT = "short_text", _("Short text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    YES_NO = "yes_no", _("Yes/no")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    EMAIL = "email", _("E-mail address")
    PHONE = "phone", _("Phone number")
    IBAN = "iban", _("IBAN")


CHOICE_KINDS = {QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE}


def pick(texts: dict | None, language: str | None = None) -> str:
    """The text of a ``{"nl": …, "en": …}`` pair in ``language`` (default: the active one),
    falling back to Dutch, the office's language."""
    texts = texts or {}
    language = (language or get_language() or "nl")[:2]
    return texts.get(language) or texts.get("nl") or texts.get("en") or ""


class QuestionnaireTemplate(models.Model):
    office = office_field(verbose_name=_("office"))
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    intro_nl = models.TextField(_("introduction (Dutch)"), blank=True)
    intro_en = models.TextField(_("introduction (English)"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OfficeManager["QuestionnaireTemplate"]()

    class Meta:
        ordering = ["title_nl"]
        verbose_name = _("questionnaire template")
        verbose_name_plural = _("questionnaire templates")

    def __str__(self) -> str:
        return self.title_nl

    def snapshot(self) -> dict:
        """The frozen form of this template, as stored on every questionnaire sent."""
        pages = []
        for page in self.pages.prefetch_related("questions"):
            questions = []
            for question in page.questions.all():
                questions.append(
                    {
                        "key": f"q{question.pk}",
                        "kind": question.kind,
                        "text": {"nl": question.text_nl, "en": question.text_en},
                        "help": {"nl": question.help_nl, "en": question.help_en},
                        "required": question.required,
                        "choices": question.choice_list(),
                    }
                )
            pages.append(
                {"title": {"nl": page.title_nl, "en": page.title_en}, "questions": questions}
            )
        return {
            "template": self.pk,
            "title": {"nl": self.title_nl, "en": self.title_en},
            "intro": {"nl": self.intro_nl, "en": self.intro_en},
            "pages": pages,
        }


class TemplatePage(models.Model):
    office = office_field(verbose_name=_("office"))
    template = models.ForeignKey(
        QuestionnaireTemplate, on_delete=models.CASCADE, related_name="pages"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    title_nl = models.CharField(_("page title (Dutch)"), max_length=200)
    title_en = models.CharField(_("page title (English)"), max_length=200, blank=True)

    objects = OfficeManager["TemplatePage"]()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("page")
        verbose_name_plural = _("pages")

    def __str__(self) -> str:
        return f"{self.template} · {self.title_nl}"


class TemplateQuestion(models.Model):
    office = office_field(verbose_name=_("office"))
    page = models.ForeignKey(TemplatePage, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveIntegerField(_("position"), default=0)
    kind = models.CharField(_("type"), max_length=20, choices=QuestionKind.choices)
    text_nl = models.CharField(_("question (Dutch)"), max_length=500)
    text_en = models.CharField(_("question (English)"), max_length=500, blank=True)
    help_nl = models.CharField(_("help text (Dutch)"), max_length=500, blank=True)
    help_en = models.CharField(_("help text (English)"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)
    choices_nl = models.TextField(
        _("choices (Dutch)"),
        blank=True,
        help_text=_("For single and multiple choice: one choice per line."),
    )
    choices_en = models.TextField(
        _("choices (English)"),
        blank=True,
        help_text=_("The same choices in the same order, one per line."),
    )

    objects = OfficeManager["TemplateQuestion"]()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text_nl

    def choice_list(self) -> list[dict]:
        if self.kind not in CHOICE_KINDS:
            return []
        dutch = [line.strip() for line in self.choices_nl.splitlines() if line.strip()]
        english = [line.strip() for line in self.choices_en.splitlines() if line.strip()]
        return [
            {"value": str(i), "label": {"nl": label, "en": english[i] if i < len(english) else ""}}
            for i, label in enumerate(dutch)
        ]


class ActionQuerySet(models.QuerySet["Action"]):
    def visible_to(self, user) -> ActionQuerySet:
        """The actions ``user`` may see: sent to the user's client, in a dossier that
        ``Dossier.objects.visible_to(user)`` still returns (THE access check), and not
        cancelled by the office."""
        dossiers = Dossier.objects.visible_to(user)
        if not getattr(user, "is_authenticated", False) or user.client_id is None:
            return self.none()
        return self.filter(client_id=user.client_id, dossier__in=dossiers.values("pk")).exclude(
            status=Action.Status.CANCELLED
        )

    def open(self) -> ActionQuerySet:
        return self.filter(status=Action.Status.OPEN)


class Action(models.Model):
    """Something the office asks a client to do in a dossier: fill in a questionnaire or
    supply a document."""

    class Kind(models.TextChoices):
        QUESTIONNAIRE = "questionnaire", _("Questionnaire")
        UPLOAD = "upload", _("Upload request")
        APPROVAL = "approval", _("Approval request")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLETED = "completed", _("Completed")
        # The office took it back before the client completed it: the client no longer sees it.
        CANCELLED = "cancelled", _("Cancelled")

    office = office_field(verbose_name=_("office"))
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    dossier = models.ForeignKey(
        Dossier, verbose_name=_("dossier"), on_delete=models.PROTECT, related_name="actions"
    )
    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("client"),
        on_delete=models.PROTECT,
        related_name="actions",
    )
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description_nl = models.TextField(_("explanation (Dutch)"), blank=True)
    description_en = models.TextField(_("explanation (English)"), blank=True)
    # Questionnaires: the template it came from (informative only), its frozen snapshot, the
    # answers so far, the pages whose answers passed validation, and an optimistic version
    # number that every save raises (two tabs on one questionnaire never overwrite silently).
    template = models.ForeignKey(
        QuestionnaireTemplate,
        verbose_name=_("template"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sent",
    )
    snapshot = models.JSONField(_("questionnaire as sent"), default=dict, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    pages_done = models.JSONField(_("pages done"), default=list, blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    pdf_document = models.OneToOneField(
        "documents.Document",
        verbose_name=_("PDF"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questionnaire",
    )
    supplied_documents = models.ManyToManyField(
        "documents.Document",
        verbose_name=_("supplied files"),
        blank=True,
        related_name="upload_requests",
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # R-OFF-4/5: the office has looked at the completed action (the workspace's inbox).
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = OfficeManager.from_queryset(ActionQuerySet)()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        indexes = [models.Index(fields=["client", "status"])]

    def __str__(self) -> str:
        return self.title_nl

    @property
    def title(self) -> str:
        return pick({"nl": self.title_nl, "en": self.title_en})

    @property
    def description(self) -> str:
        return pick({"nl": self.description_nl, "en": self.description_en})

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def pages(self) -> list[dict]:
        return self.snapshot.get("pages", [])

    def first_unfinished_page(self) -> int | None:
        """The index of the first page whose answers are not yet saved as valid (R-Q-2)."""
        done = set(self.pages_done)
        for index in range(len(self.pages)):
            if index not in done:
                return index
        return None


class SentQuestionnaire(Action):
    """The admin's view on questionnaires sent (R-OFF-5)."""

    class Meta:
        proxy = True
        verbose_name = _("sent questionnaire")
        verbose_name_plural = _("sent questionnaires")


class UploadRequest(Action):
    """The admin's view on upload requests ("Upload verzoek")."""

    class Meta:
        proxy = True
        verbose_name = _("upload request")
        verbose_name_plural = _("upload requests")


class ApprovalRequest(models.Model):
    """R-SIG-4: the office asks a client to approve one published document of the dossier
    ("Akkoord" / "Niet akkoord" with a remark), optionally by a date. It rides on an ``Action``
    of kind ``approval`` (one per client: each client answers for itself), so it shows under
    "Acties", in the inbox and the changes feed like the other actions. The answer keeps the
    SHA-256 of the file as it was when answered, who answered, when and from which address."""

    class Answer(models.TextChoices):
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Not approved")

    office = office_field(verbose_name=_("office"))
    action = models.OneToOneField(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="approval"
    )
    # SET_NULL: withdrawing the document deletes its row; the request then can no longer be
    # answered, and keeps the title it was sent with.
    document = models.ForeignKey(
        "documents.Document",
        verbose_name=_("document"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approval_requests",
    )
    document_title = models.CharField(_("document title"), max_length=200)
    due_date = models.DateField(_("answer by"), null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices, blank=True)
    remark = models.TextField(_("remark"), blank=True)
    document_sha256 = models.CharField(
        _("SHA-256 of the document answered"), max_length=64, blank=True
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_from = models.GenericIPAddressField(_("answered from"), null=True, blank=True)
    # How many of the reminder moments before the date have passed (``approvals.REMINDER_DAYS``):
    # each is e-mailed once.
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)

    objects = OfficeManager["ApprovalRequest"]()

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")
        indexes = [
            models.Index(
                fields=["due_date"],
                name="approval_due_open",
                condition=models.Q(answered_at__isnull=True, due_date__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.document_title

    @property
    def approved(self) -> bool:
        return self.answer == self.Answer.APPROVED
