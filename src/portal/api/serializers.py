"""API representations (R-OFF-6): explicit fields only. Create serializers validate input; the
views hand it to the domain services."""

from __future__ import annotations

from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from portal.accounts.models import Client, User
from portal.accounts.roles import Role
from portal.documents.models import Document
from portal.documents.sealing import format_code
from portal.dossiers.models import Dossier, ProgressStep
from portal.integrations.changes import RESOURCE_CHOICES
from portal.integrations.models import ChangeAction, WebhookEndpoint, WebhookEvent
from portal.messaging.models import MAX_SUBJECT_CHARS, Message
from portal.offices.models import DossierStatus
from portal.questionnaires.models import Action, QuestionnaireTemplate
from portal.ui.compose import MAX_ATTACHMENTS

LANGUAGES = User.Language.choices
#: The kinds the office publishes (a client's files are "supplied", never published here).
PUBLISH_KINDS = [
    (kind.value, kind.label) for kind in (Document.Kind.CORRESPONDENCE, Document.Kind.DOCUMENT)
]


class AccountSerializer(serializers.ModelSerializer):
    password_set = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "language", "is_main_account", "password_set"]
        read_only_fields = fields

    def get_password_set(self, user: User) -> bool:
        """Whether the account was set up (invitation accepted and a password chosen)."""
        return user.password_set_at is not None


class ClientSerializer(serializers.ModelSerializer):
    accounts = AccountSerializer(many=True, read_only=True)

    class Meta:
        model = Client
        fields = ["id", "kind", "name", "reference", "created_at", "updated_at", "accounts"]
        read_only_fields = fields


def _unused_email(value: str) -> None:
    # A validator's return value is discarded: the address is normalised where the user is made.
    if User.objects.filter(email__iexact=value.strip()).exists():
        raise serializers.ValidationError(_("An account with this e-mail address exists."))


class ClientCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Client.Kind.choices)
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254, validators=[_unused_email])
    full_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    language = serializers.ChoiceField(choices=LANGUAGES, default="nl")
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True)
    invite = serializers.BooleanField(default=True)


class AccountCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, validators=[_unused_email])
    full_name = serializers.CharField(max_length=200)
    language = serializers.ChoiceField(choices=LANGUAGES, default="nl")
    invite = serializers.BooleanField(default=True)


class StatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = DossierStatus
        fields = ["id", "name", "name_en", "in_progress", "closes_dossier"]
        read_only_fields = fields


def staff_users():
    return User.objects.filter(is_staff=True, is_active=True, client__isnull=True)


#: A handler id that is not one of the office's active staff (a client's account, say).
NOT_STAFF = _("Not a staff member of this office.")


class DossierSerializer(serializers.ModelSerializer):
    clients = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = [
            "id",
            "number",
            "description",
            "status",
            "handler",
            "clients",
            "created_at",
            "updated_at",
            "closed_at",
        ]
        read_only_fields = fields

    def get_clients(self, dossier: Dossier) -> list[int]:
        """The clients granted access."""
        return [grant.client_id for grant in dossier.grants.all()]


class DossierCreateSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=50)
    description = serializers.CharField(max_length=300)
    status = serializers.PrimaryKeyRelatedField(queryset=DossierStatus.objects.all())
    handler = serializers.PrimaryKeyRelatedField(
        queryset=staff_users(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": NOT_STAFF},
    )

    def validate_number(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("Fill in a dossier number."))
        if Dossier.objects.filter(number=value).exists():
            raise serializers.ValidationError(_("A dossier with this number exists."))
        return value


class DossierUpdateSerializer(serializers.Serializer):
    status = serializers.PrimaryKeyRelatedField(
        queryset=DossierStatus.objects.all(), required=False
    )
    handler = serializers.PrimaryKeyRelatedField(
        queryset=staff_users(),
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": NOT_STAFF},
    )


class GrantSerializer(serializers.Serializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    granted_at = serializers.DateTimeField(read_only=True)


class StepSerializer(serializers.ModelSerializer):
    title = serializers.CharField(max_length=200)
    done = serializers.BooleanField(default=False)

    class Meta:
        model = ProgressStep
        fields = ["position", "title", "done", "done_at"]
        read_only_fields = ["position", "done_at"]


class StepListSerializer(serializers.Serializer):
    steps = StepSerializer(many=True)


class DocumentSerializer(serializers.ModelSerializer):
    verify_code = serializers.SerializerMethodField(
        help_text=_(
            "The code the public verify page takes (R-SIG-2); printed in the seal's stamp of a "
            "PDF the office published or the portal made."
        )
    )

    class Meta:
        model = Document
        fields = [
            "id",
            "dossier",
            "kind",
            "title",
            "original_name",
            "size",
            "content_type",
            "sha256",
            "verify_code",
            "message",
            "created_at",
        ]
        read_only_fields = fields

    def get_verify_code(self, document: Document) -> str:
        return format_code(document.verify_code)


class DocumentPublishSerializer(serializers.Serializer):
    dossier = serializers.PrimaryKeyRelatedField(queryset=Dossier.objects.all())
    kind = serializers.ChoiceField(choices=PUBLISH_KINDS)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    file = serializers.FileField()


class MessageSerializer(serializers.ModelSerializer):
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = Message
        fields = [
            "id",
            "dossier",
            "direction",
            "subject",
            "body",
            "author",
            "reply_to",
            "attachments",
            "created_at",
            "updated_at",
            "handled_at",
        ]
        read_only_fields = fields

    def get_attachments(self, message: Message) -> list[int]:
        """The ids of the attached documents."""
        return [document.pk for document in message.attachments.all()]


class MessageCreateSerializer(serializers.Serializer):
    dossier = serializers.PrimaryKeyRelatedField(queryset=Dossier.objects.all())
    subject = serializers.CharField(max_length=MAX_SUBJECT_CHARS)
    body = serializers.CharField(trim_whitespace=False)
    reply_to = serializers.PrimaryKeyRelatedField(
        queryset=Message.objects.all(), required=False, allow_null=True
    )


class TemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = QuestionnaireTemplate
        fields = ["id", "title_nl", "title_en", "updated_at"]
        read_only_fields = fields


class QuestionnaireSerializer(serializers.ModelSerializer):
    class Meta:
        model = Action
        fields = [
            "id",
            "dossier",
            "client",
            "template",
            "title_nl",
            "title_en",
            "status",
            "pdf_document",
            "created_at",
            "updated_at",
            "completed_at",
        ]
        read_only_fields = fields


class AnswerSerializer(serializers.Serializer):
    key = serializers.CharField()
    page = serializers.IntegerField()
    kind = serializers.CharField()
    question_nl = serializers.CharField()
    question_en = serializers.CharField()
    answer = serializers.JSONField(allow_null=True)


class QuestionnaireDetailSerializer(QuestionnaireSerializer):
    answers = serializers.SerializerMethodField()

    class Meta(QuestionnaireSerializer.Meta):
        fields = [*QuestionnaireSerializer.Meta.fields, "answers"]
        read_only_fields = fields

    def get_answers(self, action: Action) -> list[dict]:
        rows = []
        for index, page in enumerate(action.pages):
            for question in page.get("questions", []):
                text = question.get("text") or {}
                rows.append(
                    {
                        "key": question["key"],
                        "page": index,
                        "kind": question.get("kind", ""),
                        "question_nl": text.get("nl", "") if isinstance(text, dict) else "",
                        "question_en": text.get("en", "") if isinstance(text, dict) else "",
                        "answer": action.answers.get(question["key"]),
                    }
                )
        return list(AnswerSerializer(rows, many=True).data)


class QuestionnaireSendSerializer(serializers.Serializer):
    template = serializers.PrimaryKeyRelatedField(queryset=QuestionnaireTemplate.objects.all())
    dossier = serializers.PrimaryKeyRelatedField(queryset=Dossier.objects.all())
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())


class UploadRequestSerializer(serializers.ModelSerializer):
    documents = serializers.SerializerMethodField()

    class Meta:
        model = Action
        fields = [
            "id",
            "dossier",
            "client",
            "title_nl",
            "title_en",
            "description_nl",
            "description_en",
            "status",
            "documents",
            "created_at",
            "updated_at",
            "completed_at",
        ]
        read_only_fields = fields

    def get_documents(self, action: Action) -> list[int]:
        """The ids of the documents the client supplied for this request."""
        return [document.pk for document in action.supplied_documents.all()]


class UploadRequestCreateSerializer(serializers.Serializer):
    dossier = serializers.PrimaryKeyRelatedField(queryset=Dossier.objects.all())
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    title_nl = serializers.CharField(max_length=200)
    title_en = serializers.CharField(max_length=200, required=False, allow_blank=True)
    description_nl = serializers.CharField(required=False, allow_blank=True)
    description_en = serializers.CharField(required=False, allow_blank=True)


class StaffSerializer(serializers.ModelSerializer):
    """A staff member who may be named as a dossier's handler."""

    role = serializers.ChoiceField(source="staff_role", choices=Role.choices, read_only=True)

    class Meta:
        model = User
        fields = ["id", "full_name", "email", "role"]
        read_only_fields = fields


class WebhookEndpointSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "events", "active", "created_at", "previous_secret_expires_at"]
        read_only_fields = fields


class WebhookEndpointSecretSerializer(WebhookEndpointSerializer):
    """The endpoint with its signing secret: only in the answer that made the secret."""

    secret = serializers.CharField(read_only=True)

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookEndpointWriteSerializer(serializers.Serializer):
    """A new endpoint (``url`` required) or a change (any of the fields). ``events`` empty:
    every event."""

    url = serializers.URLField(max_length=500, validators=[URLValidator(schemes=["http", "https"])])
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=WebhookEvent.choices), required=False
    )
    active = serializers.BooleanField(required=False)

    def validate_events(self, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))  # each once, in the order given


class ClientStateSerializer(ClientSerializer):
    """The client with whether it is active (one of its accounts may log in)."""

    active = serializers.SerializerMethodField()

    class Meta(ClientSerializer.Meta):
        fields = [*ClientSerializer.Meta.fields, "active"]
        read_only_fields = fields

    def get_active(self, client: Client) -> bool:
        return any(account.is_active for account in client.accounts.all())


class ClientUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    reference = serializers.CharField(max_length=64, required=False, allow_blank=True)


class StepDoneSerializer(serializers.Serializer):
    done = serializers.BooleanField()


class MessageWithAttachmentsSerializer(serializers.Serializer):
    """A message of the office in the dossier of the path, with files (multipart): each file is
    checked like every upload (size, type, malware scan) and becomes the dossier's
    correspondence, attached to the message."""

    subject = serializers.CharField(max_length=MAX_SUBJECT_CHARS)
    body = serializers.CharField(trim_whitespace=False)
    reply_to = serializers.PrimaryKeyRelatedField(
        queryset=Message.objects.all(), required=False, allow_null=True
    )
    files = serializers.ListField(
        child=serializers.FileField(), max_length=MAX_ATTACHMENTS, allow_empty=False
    )


class ChangeSerializer(serializers.Serializer):
    """One entry of the changes feed: re-read the object (or drop it on ``deleted``)."""

    id = serializers.IntegerField(help_text="The sequence number, increasing.")
    at = serializers.DateTimeField(help_text="When the change was written.")
    resource = serializers.ChoiceField(
        choices=RESOURCE_CHOICES,
        help_text="What changed: `access` is a dossier's grant to the client `object_id`; "
        "`step` a row of the dossier's steps (read `/dossiers/{dossier}/steps/`).",
    )
    object_id = serializers.IntegerField(
        help_text="The object's id (`access`: the client's id; `step`: the step's row)."
    )
    dossier = serializers.IntegerField(
        source="dossier_id", allow_null=True, help_text="The dossier it belongs to, if any."
    )
    action = serializers.ChoiceField(
        choices=ChangeAction.choices,
        help_text="`read`: a client's account opened the message or document the first time.",
    )


class ChangePageSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    cursor = serializers.CharField(
        help_text="Where this page ends: store it and resume from it (`?cursor=`), also when "
        "`results` is empty."
    )
    next = serializers.URLField(help_text="This address with `cursor`: the next page.")
    more = serializers.BooleanField(
        help_text="More changes are waiting: fetch `next` at once (otherwise poll it later)."
    )
