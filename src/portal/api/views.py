"""The REST API (R-OFF-6). Thin views: every change goes through the domain services (the same
ones the admin and the client pages use), so audit entries, e-mails and signals follow.

Every view authenticates with an API token, sees only the token's office's data
(``ApiViewMixin.scoped``) and records the call in the audit trail (R-X-1)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from portal.accounts import services as account_services
from portal.accounts.models import Client
from portal.audit import context as audit_context
from portal.audit.services import record
from portal.documents import services as document_services
from portal.documents.models import Document
from portal.documents.upload_handlers import UploadStopped, refused_while_received
from portal.documents.uploads import UploadRejected
from portal.documents.views import file_response
from portal.dossiers import services as dossier_services
from portal.dossiers.models import Dossier, DossierAccess
from portal.messaging import services as message_services
from portal.messaging.models import Message
from portal.offices.models import DossierStatus, Office
from portal.questionnaires import services as action_services
from portal.questionnaires.models import Action, QuestionnaireTemplate

from . import serializers as s
from .authentication import ApiTokenAuthentication
from .idempotency import idempotent
from .pagination import ApiCursorPagination
from .permissions import OfficeWork

UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="Only rows changed at or after this ISO 8601 moment (for synchronisation).",
)
DOSSIER_FILTER = OpenApiParameter("dossier", OpenApiTypes.INT, description="Only this dossier.")
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="A repeated POST with the same key returns the first response.",
)
ERROR = OpenApiResponse(OpenApiTypes.OBJECT, description="Refused: the reason, per field.")


def _integer(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: _("Enter a whole number.")}) from None
    if not 0 < number < 2**31:
        raise ValidationError({name: _("Enter a whole number.")})
    return number


def _moment(text: str) -> datetime:
    """``updated_since`` as an aware UTC moment (any offset the ISO format allows, which the
    database might not); a 400 for anything else."""
    error = ValidationError({"updated_since": _("Enter an ISO 8601 date and time.")})
    try:
        moment = parse_datetime(text.strip().replace(" ", "+"))
        if moment is None:
            raise error
        if moment.tzinfo is None:
            moment = timezone.make_aware(moment)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise error from None


def _django_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError({"detail": exc.messages})


class ApiViewMixin:
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [OfficeWork]
    pagination_class = ApiCursorPagination
    parser_classes = [JSONParser]
    cursor_ordering = ("updated_at", "id")
    updated_field = "updated_at"

    @classmethod
    def as_view(cls, *args, **kwargs):
        view = super().as_view(*args, **kwargs)
        view.login_required = False  # tokens, not sessions: LoginRequiredMiddleware steps aside
        return view

    def perform_authentication(self, request):
        try:
            request.user  # noqa: B018 - authenticates
        except AuthenticationFailed:
            audit_context.set_actor(None)
            # A wrong or revoked token counts against the address before the 401: guessing
            # tokens is rate-limited (DRF would check throttles only after authentication).
            self.check_throttles(request)
            raise
        # The token's staff member acts, under the token's name: not a session's user, which
        # the API ignores.
        token = request.auth
        if token is None:
            audit_context.set_actor(None)
        else:
            audit_context.set_actor(request.user, actor_label=token.name)

    def check_permissions(self, request):
        if request.auth is None:
            # No token: counted per address before the 401 as well.
            self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request):
        # Counted once per request, whichever of the three places above ran first.
        if getattr(request, "_throttles_checked", False):
            return
        request._throttles_checked = True
        super().check_throttles(request)

    def scoped(self, queryset):
        """The token's office's rows. This deployment serves one office; a token bound to
        another office row sees nothing (the authentication refuses it as well)."""
        token = self.request.auth
        if token is None or token.office_id != Office.cached().pk:
            return queryset.none()
        return queryset

    def filter_list(self, queryset):
        params = self.request.query_params
        since = params.get("updated_since")
        if since:
            moment = _moment(since)
            queryset = queryset.filter(**{f"{self.updated_field}__gte": moment})
        dossier = _integer(params.get("dossier"), "dossier")
        if dossier is not None and hasattr(queryset.model, "dossier"):
            queryset = queryset.filter(dossier_id=dossier)
        return queryset

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        token = getattr(request, "auth", None)
        # Every call is recorded here with its status, refusals included: the denial
        # middleware need not record it again.
        request._request.audit_denial_recorded = True
        record(
            f"api.{request.method.lower()}",
            actor=request.user if token is not None else None,
            actor_label=token.name if token is not None else _("(no valid API token)"),
            target=request.path,
            path=request.path,
            status=response.status_code,
            token=token.prefix if token is not None else None,
        )
        return response


class ListMixin:
    """A cursor-paginated list with ``updated_since`` (and ``dossier`` where it applies)."""

    def list(self, request, *args, **kwargs):
        queryset = self.filter_list(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def _created(data, serializer_class) -> Response:
    return Response(serializer_class(data).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["clients"])
class ClientViewSet(ApiViewMixin, ListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.ClientSerializer

    def get_queryset(self):
        return self.scoped(Client.objects.prefetch_related("accounts"))

    @extend_schema(parameters=[UPDATED_SINCE])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.ClientCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.ClientSerializer, 400: ERROR, 422: ERROR},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        data = self._valid(s.ClientCreateSerializer)
        client = account_services.create_client(by=request.user, **data)
        return _created(self.get_queryset().get(pk=client.pk), s.ClientSerializer)

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={202: s.ClientSerializer, 400: ERROR, 404: ERROR, 422: ERROR},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def invite(self, request, pk=None):
        """Send (again) the invitation to the client's main account (R-ACC-1)."""
        client = self.get_object()
        main = client.accounts.filter(is_main_account=True).first()
        if main is None:
            raise ValidationError({"detail": _("This client has no main account.")})
        account_services.invite_user(user=main, by=request.user)
        return Response(s.ClientSerializer(client).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=s.AccountCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.AccountSerializer, 400: ERROR, 404: ERROR, 422: ERROR},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def accounts(self, request, pk=None):
        """Add an extra account to a company (R-ME-4); it is invited unless ``invite`` is false."""
        client = self.get_object()
        data = self._valid(s.AccountCreateSerializer)
        try:
            user = account_services.add_account(client=client, by=request.user, **data)
        except ValueError:
            message = _("Only a company can have extra accounts.")
            raise ValidationError({"detail": message}) from None
        return Response(s.AccountSerializer(user).data, status=status.HTTP_201_CREATED)

    def _valid(self, serializer_class) -> dict:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


@extend_schema(tags=["dossiers"])
class StatusViewSet(ApiViewMixin, ListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.StatusSerializer
    cursor_ordering = ("position", "id")

    def get_queryset(self):
        return self.scoped(DossierStatus.objects.all())

    def filter_list(self, queryset):
        return queryset


@extend_schema(tags=["dossiers"])
class DossierViewSet(ApiViewMixin, ListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.DossierSerializer

    def get_queryset(self):
        return self.scoped(Dossier.objects.prefetch_related("grants"))

    def _valid(self, serializer_class, **kwargs) -> dict:
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    @extend_schema(parameters=[UPDATED_SINCE])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.DossierCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.DossierSerializer, 400: ERROR, 422: ERROR},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        data = self._valid(s.DossierCreateSerializer)
        try:
            with transaction.atomic():
                dossier = dossier_services.create_dossier(by=request.user, **data)
        except IntegrityError:  # the same number created in parallel
            raise ValidationError({"number": _("A dossier with this number exists.")}) from None
        return _created(self.get_queryset().get(pk=dossier.pk), s.DossierSerializer)

    @extend_schema(
        request=s.DossierUpdateSerializer, responses={200: s.DossierSerializer, 400: ERROR}
    )
    def partial_update(self, request, *args, **kwargs):
        """Change the status and/or the handler."""
        dossier = self.get_object()
        data = self._valid(s.DossierUpdateSerializer)
        dossier_services.update_dossier(dossier=dossier, by=request.user, **data)
        return Response(s.DossierSerializer(self.get_queryset().get(pk=dossier.pk)).data)

    @extend_schema(
        methods=["GET"], request=None, responses={200: s.GrantSerializer(many=True), 404: ERROR}
    )
    @extend_schema(
        methods=["POST"],
        request=s.GrantSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.GrantSerializer, 400: ERROR, 404: ERROR, 422: ERROR},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def grants(self, request, pk=None):
        """The clients who may see the dossier (R-DOS-6); POST grants one more."""
        if request.method == "POST":
            return self._grant(request)
        dossier = self.get_object()
        grants = DossierAccess.objects.filter(dossier=dossier).order_by("granted_at", "pk")
        return Response(s.GrantSerializer(grants, many=True).data)

    @idempotent
    def _grant(self, request):
        dossier = self.get_object()
        data = self._valid(s.GrantSerializer)
        grant = dossier_services.grant_access(
            dossier=dossier, client=data["client"], by=request.user
        )
        return Response(s.GrantSerializer(grant).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        parameters=[OpenApiParameter("client_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={204: None, 404: ERROR},
    )
    @action(detail=True, methods=["delete"], url_path=r"grants/(?P<client_id>[0-9]+)")
    def revoke(self, request, pk=None, client_id=None):
        """Take a client's access away; it applies to the client's next page (R-DOS-6)."""
        dossier = self.get_object()
        client = get_object_or_404(self.scoped(Client.objects.all()), pk=_integer(client_id, "id"))
        if not dossier_services.revoke_access(dossier=dossier, client=client, by=request.user):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], request=None, responses={200: s.StepListSerializer, 404: ERROR})
    @extend_schema(
        methods=["PUT"],
        request=s.StepListSerializer,
        responses={200: s.StepListSerializer, 400: ERROR, 404: ERROR},
    )
    @action(detail=True, methods=["get", "put"], pagination_class=None)
    def steps(self, request, pk=None):
        """The progress list (R-DOS-5); PUT replaces it, in the order given."""
        dossier = self.get_object()
        if request.method == "PUT":
            data = self._valid(s.StepListSerializer)
            dossier_services.set_progress(
                dossier=dossier,
                steps=[(step["title"], step["done"]) for step in data["steps"]],
                by=request.user,
            )
        return Response(s.StepListSerializer({"steps": dossier.steps.all()}).data)


@extend_schema(tags=["documents"])
class DocumentViewSet(ApiViewMixin, ListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.DocumentSerializer
    parser_classes = [MultiPartParser, FormParser]
    cursor_ordering = ("created_at", "id")
    updated_field = "created_at"

    def get_queryset(self):
        return self.scoped(Document.objects.all())

    def handle_exception(self, exc):
        if isinstance(exc, UploadStopped):
            # More than the upload limits allow, refused before the body was read.
            return Response({"detail": exc.message}, status=exc.status)
        return super().handle_exception(exc)

    @extend_schema(
        parameters=[
            UPDATED_SINCE,
            DOSSIER_FILTER,
            OpenApiParameter("kind", OpenApiTypes.STR, enum=Document.Kind.values),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def filter_list(self, queryset):
        queryset = super().filter_list(queryset)
        kind = self.request.query_params.get("kind")
        if kind:
            if kind not in Document.Kind.values:
                raise ValidationError({"kind": _("Unknown kind.")})
            queryset = queryset.filter(kind=kind)
        return queryset

    @extend_schema(
        request={"multipart/form-data": s.DocumentPublishSerializer},
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.DocumentSerializer, 400: ERROR, 422: ERROR},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Publish correspondence or a document to a dossier (R-OFF-3). The file is checked
        like every upload; a refused file is a 400 with the reason."""
        # Files past the limits were refused while the body was received (the default upload
        # handler): say so, rather than "no file was submitted".
        request.data  # noqa: B018 - parse the body
        refusals = refused_while_received(request._request)
        if refusals:
            raise ValidationError(
                {refusals[0].field_name: [f"{r.file_name}: {r.message}" for r in refusals]}
            )
        serializer = s.DocumentPublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        upload = data["file"]
        try:
            document = document_services.publish_document(
                dossier=data["dossier"],
                kind=data["kind"],
                title=data.get("title", ""),
                file=upload,
                name=upload.name,
                by=request.user,
            )
        except UploadRejected as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        return _created(document, s.DocumentSerializer)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            ),
            404: ERROR,
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The file itself (e.g. what a client supplied), streamed; the download is audited."""
        return file_response(request, self.get_object())


@extend_schema(tags=["messages"])
class MessageViewSet(ApiViewMixin, ListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.MessageSerializer

    def get_queryset(self):
        return self.scoped(Message.objects.prefetch_related("attachments"))

    @extend_schema(
        parameters=[
            UPDATED_SINCE,
            DOSSIER_FILTER,
            OpenApiParameter(
                "open", OpenApiTypes.BOOL, description="Only client messages not yet handled."
            ),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def filter_list(self, queryset):
        queryset = super().filter_list(queryset)
        if self.request.query_params.get("open") in ("true", "1"):
            queryset = queryset.filter(
                direction=Message.Direction.OUTGOING, handled_at__isnull=True
            )
        return queryset

    @extend_schema(
        request=s.MessageCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.MessageSerializer, 400: ERROR, 422: ERROR},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """The office writes to a dossier's clients (R-OFF-4); the author is the token's staff
        member."""
        serializer = s.MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            message = message_services.send_message(
                dossier=data["dossier"],
                sender=request.user,
                subject=data["subject"],
                body=data["body"],
                reply_to=data.get("reply_to"),
            )
        except DjangoValidationError as exc:
            raise _django_error(exc) from None
        except ValueError:
            raise ValidationError(
                {"reply_to": _("A reply stays in the dossier of the message it answers.")}
            ) from None
        return _created(self.get_queryset().get(pk=message.pk), s.MessageSerializer)

    @extend_schema(request=None, responses={200: s.MessageSerializer, 404: ERROR})
    @action(detail=True, methods=["post"])
    def handled(self, request, pk=None):
        """Mark a client's message handled (R-OFF-4); doing it twice changes nothing."""
        message = self.get_object()
        message_services.mark_handled(message=message, by=request.user)
        return Response(s.MessageSerializer(self.get_queryset().get(pk=message.pk)).data)


@extend_schema(tags=["questionnaires"])
class TemplateViewSet(ApiViewMixin, ListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.TemplateSerializer

    def get_queryset(self):
        return self.scoped(QuestionnaireTemplate.objects.all())

    @extend_schema(parameters=[UPDATED_SINCE])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)


@extend_schema(tags=["questionnaires"])
class QuestionnaireViewSet(ApiViewMixin, ListMixin, viewsets.ReadOnlyModelViewSet):
    def get_queryset(self):
        return self.scoped(Action.objects.filter(kind=Action.Kind.QUESTIONNAIRE))

    def get_serializer_class(self):
        if self.action == "list":
            return s.QuestionnaireSerializer
        return s.QuestionnaireDetailSerializer

    @extend_schema(parameters=[UPDATED_SINCE, DOSSIER_FILTER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.QuestionnaireSendSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.QuestionnaireDetailSerializer, 400: ERROR, 422: ERROR},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Send a questionnaire from a template to a client of the dossier (R-OFF-5)."""
        serializer = s.QuestionnaireSendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            sent = action_services.send_questionnaire(by=request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _django_error(exc) from None
        return _created(sent, s.QuestionnaireDetailSerializer)

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The answers as PDF."
            ),
            404: ERROR,
        }
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request, pk=None):
        """The PDF of a completed questionnaire's answers (404 until it has been made)."""
        sent = self.get_object()
        if sent.pdf_document is None:
            raise Http404
        return file_response(request, sent.pdf_document)


@extend_schema(tags=["questionnaires"])
class UploadRequestViewSet(ApiViewMixin, ListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = s.UploadRequestSerializer

    def get_queryset(self):
        return self.scoped(
            Action.objects.filter(kind=Action.Kind.UPLOAD).prefetch_related("supplied_documents")
        )

    @extend_schema(parameters=[UPDATED_SINCE, DOSSIER_FILTER])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.UploadRequestCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.UploadRequestSerializer, 400: ERROR, 422: ERROR},
    )
    @idempotent
    def create(self, request, *args, **kwargs):
        """Ask a client of the dossier for a named document."""
        serializer = s.UploadRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            sent = action_services.request_upload(by=request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _django_error(exc) from None
        return _created(self.get_queryset().get(pk=sent.pk), s.UploadRequestSerializer)
