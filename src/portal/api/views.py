"""The REST API (R-OFF-6). Thin views: every change goes through the domain services (the same
ones the admin and the client pages use), so audit entries, e-mails and signals follow.

Every view authenticates with an API token, sees only the token's office's data
(``ApiViewMixin.scoped``) and records the call in the audit trail (R-X-1)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.utils.urls import remove_query_param, replace_query_param

from portal.accounts import services as account_services
from portal.accounts.models import Client, User
from portal.audit import context as audit_context
from portal.audit.services import record
from portal.documents import services as document_services
from portal.documents.models import Document, StagedUpload
from portal.dossiers import services as dossier_services
from portal.dossiers.models import Dossier, DossierAccess
from portal.files import filetypes
from portal.files.upload_handlers import UploadStopped, refused_while_received
from portal.files.uploads import UploadRejected
from portal.integrations import changes as change_feed
from portal.integrations import services as integration_services
from portal.integrations.models import ApiToken, Change, WebhookEndpoint
from portal.messaging import services as message_services
from portal.messaging.models import Message
from portal.offices.models import DossierStatus, Office
from portal.questionnaires import services as action_services
from portal.questionnaires.models import Action, QuestionnaireTemplate
from portal.retention import erasure
from portal.ui.files import file_response

from . import problems
from . import serializers as s
from .authentication import ApiTokenAuthentication
from .idempotency import idempotent
from .language import activate_api_language
from .pagination import ApiCursorPagination
from .permissions import OfficeConfiguration, OfficeWork

if TYPE_CHECKING:  # the stubs' names for what as_view returns
    from rest_framework.views import AsView, GenericView

_Rows = TypeVar("_Rows", bound=QuerySet[Any])

UPDATED_SINCE = OpenApiParameter(
    "updated_since",
    OpenApiTypes.DATETIME,
    description="Only rows changed at or after this ISO 8601 moment (for synchronisation).",
)
#: A download is sent with the file's own media type, one of the types uploads may have.
#: application/octet-stream first: generators that know no other binary type (such as
#: openapi-python-client) take the first one they know and keep the body as bytes.
DOWNLOAD_MEDIA_TYPES = ["application/octet-stream", *sorted(filetypes.ALLOWED)]
DOSSIER_FILTER = OpenApiParameter("dossier", OpenApiTypes.INT, description="Only this dossier.")
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="A repeated POST with the same key returns the first response.",
)


def _integer(value: str | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({name: _("Enter a whole number.")}) from None
    if not 0 < number < 2**31:
        raise ValidationError({name: _("Enter a whole number.")})
    return number


def _moment(text: str, name: str = "updated_since") -> datetime:
    """``updated_since`` (or ``name``) as an aware UTC moment (any offset the ISO format
    allows, which the database might not); a 400 for anything else."""
    error = ValidationError({name: _("Enter an ISO 8601 date and time.")})
    try:
        moment = parse_datetime(text.strip().replace(" ", "+"))
        if moment is None:
            raise error
        if moment.tzinfo is None:
            moment = timezone.make_aware(moment)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise error from None


def _token(request: Request) -> ApiToken | None:
    """The request's API token: ``ApiTokenAuthentication`` is the only authentication here."""
    return cast("ApiToken | None", request.auth)


def _staff(request: Request) -> User:
    """The token's staff member: every view here requires a token (``IsAuthenticated``)."""
    return cast(User, request.user)


def _django_error(exc: DjangoValidationError) -> ValidationError:
    return ValidationError({"detail": exc.messages})


class ApiViewMixin(GenericAPIView[Any]):
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [OfficeWork]
    pagination_class = ApiCursorPagination
    parser_classes = [JSONParser]
    cursor_ordering = ("updated_at", "id")
    updated_field = "updated_at"

    @classmethod
    def as_view(cls, *args: Any, **kwargs: Any) -> AsView[GenericView]:
        view = super().as_view(*args, **kwargs)
        # Tokens, not sessions: LoginRequiredMiddleware steps aside.
        view.login_required = False  # type: ignore[attr-defined]  # read by the middleware
        return view

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # The caller's Accept-Language for every message of the call, errors included.
        activate_api_language(request._request)
        super().initial(request, *args, **kwargs)

    def perform_authentication(self, request: Request) -> None:
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
        token = _token(request)
        if token is None:
            audit_context.set_actor(None)
        else:
            audit_context.set_actor(request.user, actor_label=token.name)

    def check_permissions(self, request: Request) -> None:
        if request.auth is None:
            # No token: counted per address before the 401 as well.
            self.check_throttles(request)
        super().check_permissions(request)

    def check_throttles(self, request: Request) -> None:
        # Counted once per request, whichever of the three places above ran first.
        if getattr(request, "_throttles_checked", False):
            return
        request._throttles_checked = True  # type: ignore[attr-defined]  # a per-request flag
        super().check_throttles(request)

    def scoped(self, queryset: _Rows) -> _Rows:
        """The token's office's rows. This deployment serves one office; a token bound to
        another office row sees nothing (the authentication refuses it as well)."""
        token = _token(self.request)
        if token is None or token.office_id != Office.cached().pk:
            return queryset.none()
        return queryset

    def filter_list(self, queryset: _Rows) -> _Rows:
        params = self.request.query_params
        since = params.get("updated_since")
        if since:
            moment = _moment(since)
            queryset = queryset.filter(**{f"{self.updated_field}__gte": moment})
        dossier = _integer(params.get("dossier"), "dossier")
        if dossier is not None and hasattr(queryset.model, "dossier"):
            queryset = queryset.filter(dossier_id=dossier)
        return queryset

    def finalize_response(
        self, request: Request, response: HttpResponseBase, *args: Any, **kwargs: Any
    ) -> Response:
        # Any HttpResponse arrives here (a file download too); the stub says Response.
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[arg-type]
        # An error answered without raising is problem details too.
        problems.as_problem(response)
        token = _token(request)
        # Every call is recorded here with its status, refusals included: the denial
        # middleware need not record it again.
        request._request.audit_denial_recorded = True  # type: ignore[attr-defined]  # see above
        with translation.override(settings.LANGUAGE_CODE):  # the trail in one language
            no_token = _("(no valid API token)")
        record(
            f"api.{(request.method or '').lower()}",
            actor=request.user if token is not None else None,
            actor_label=token.name if token is not None else no_token,
            target=request.path,
            path=request.path,
            status=response.status_code,
            token=token.prefix if token is not None else None,
        )
        response.headers["Content-Language"] = translation.get_language()
        patch_vary_headers(response, ["Accept-Language"])
        return response


class ListMixin(ApiViewMixin):
    """A cursor-paginated list with ``updated_since`` (and ``dossier`` where it applies)."""

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_list(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


def _created(data: Model, serializer_class: type[Serializer[Any]]) -> Response:
    return Response(serializer_class(data).data, status=status.HTTP_201_CREATED)


class ClientViewSet(ListMixin, viewsets.ReadOnlyModelViewSet[Client]):
    serializer_class = s.ClientSerializer

    def get_queryset(self) -> QuerySet[Client]:
        return self.scoped(Client.objects.prefetch_related("accounts"))

    @extend_schema(parameters=[UPDATED_SINCE])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.ClientCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.ClientSerializer},
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._valid(s.ClientCreateSerializer)
        client = account_services.create_client(by=_staff(request), **data)
        return _created(self.get_queryset().get(pk=client.pk), s.ClientSerializer)

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={202: s.ClientSerializer},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def invite(self, request: Request, pk: str | None = None) -> Response:
        """Send (again) the invitation to the client's main account (R-ACC-1)."""
        client = self.get_object()
        main = client.accounts.filter(is_main_account=True).first()
        if main is None:
            raise ValidationError({"detail": _("This client has no main account.")})
        account_services.invite_user(user=main, by=_staff(request))
        return Response(s.ClientSerializer(client).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        operation_id="clients_add_account",
        request=s.AccountCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.AccountSerializer},
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def accounts(self, request: Request, pk: str | None = None) -> Response:
        """Add an extra account to a company (R-ME-4); it is invited unless ``invite`` is false."""
        client = self.get_object()
        data = self._valid(s.AccountCreateSerializer)
        try:
            user = account_services.add_account(client=client, by=_staff(request), **data)
        except ValueError:
            message = _("Only a company can have extra accounts.")
            raise ValidationError({"detail": message}) from None
        return Response(s.AccountSerializer(user).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.ClientUpdateSerializer,
        responses={200: s.ClientStateSerializer},
        summary="Change a client's name or reference.",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        client = self.get_object()
        data = self._valid(s.ClientUpdateSerializer)
        account_services.update_client(client=client, by=_staff(request), **data)
        return Response(s.ClientStateSerializer(self.get_queryset().get(pk=client.pk)).data)

    def _valid(self, serializer_class: type[Serializer[Any]]) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        return data


class StatusViewSet(ListMixin, viewsets.ReadOnlyModelViewSet[DossierStatus]):
    serializer_class = s.StatusSerializer
    cursor_ordering = ("position", "id")

    def get_queryset(self) -> QuerySet[DossierStatus]:
        return self.scoped(DossierStatus.objects.all())

    def filter_list(self, queryset: _Rows) -> _Rows:
        return queryset


class DossierViewSet(ListMixin, viewsets.ReadOnlyModelViewSet[Dossier]):
    serializer_class = s.DossierSerializer

    def get_queryset(self) -> QuerySet[Dossier]:
        return self.scoped(Dossier.objects.prefetch_related("grants"))

    def _valid(self, serializer_class: type[Serializer[Any]], **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        data: dict[str, Any] = serializer.validated_data
        return data

    @extend_schema(parameters=[UPDATED_SINCE])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.DossierCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.DossierSerializer},
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = self._valid(s.DossierCreateSerializer)
        try:
            with transaction.atomic():
                dossier = dossier_services.create_dossier(by=_staff(request), **data)
        except IntegrityError:  # the same number created in parallel
            raise ValidationError({"number": _("A dossier with this number exists.")}) from None
        return _created(self.get_queryset().get(pk=dossier.pk), s.DossierSerializer)

    @extend_schema(request=s.DossierUpdateSerializer, responses={200: s.DossierSerializer})
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Change the status and/or the handler."""
        dossier = self.get_object()
        data = self._valid(s.DossierUpdateSerializer)
        dossier_services.update_dossier(dossier=dossier, by=_staff(request), **data)
        return Response(s.DossierSerializer(self.get_queryset().get(pk=dossier.pk)).data)

    @extend_schema(methods=["GET"], request=None, responses={200: s.GrantSerializer(many=True)})
    @extend_schema(
        methods=["POST"],
        request=s.GrantSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.GrantSerializer},
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def grants(self, request: Request, pk: str | None = None) -> Response:
        """The clients who may see the dossier (R-DOS-6); POST grants one more."""
        if request.method == "POST":
            return self._grant(request)
        dossier = self.get_object()
        grants = DossierAccess.objects.filter(dossier=dossier).order_by("granted_at", "pk")
        return Response(s.GrantSerializer(grants, many=True).data)

    @idempotent
    def _grant(self, request: Request) -> Response:
        dossier = self.get_object()
        data = self._valid(s.GrantSerializer)
        grant = dossier_services.grant_access(
            dossier=dossier, client=data["client"], by=_staff(request)
        )
        return Response(s.GrantSerializer(grant).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="dossiers_grants_destroy",
        request=None,
        parameters=[OpenApiParameter("client_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
        responses={204: None},
    )
    @action(detail=True, methods=["delete"], url_path=r"grants/(?P<client_id>[0-9]+)")
    def revoke(
        self, request: Request, pk: str | None = None, client_id: str | None = None
    ) -> Response:
        """Take a client's access away; it applies to the client's next page (R-DOS-6)."""
        dossier = self.get_object()
        client = get_object_or_404(self.scoped(Client.objects.all()), pk=_integer(client_id, "id"))
        if not dossier_services.revoke_access(dossier=dossier, client=client, by=_staff(request)):
            raise Http404
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(methods=["GET"], request=None, responses={200: s.StepListSerializer})
    @extend_schema(
        methods=["PUT"],
        request=s.StepListSerializer,
        responses={200: s.StepListSerializer},
    )
    @action(detail=True, methods=["get", "put"], pagination_class=None)
    def steps(self, request: Request, pk: str | None = None) -> Response:
        """The progress list (R-DOS-5); PUT replaces it, in the order given."""
        dossier = self.get_object()
        if request.method == "PUT":
            data = self._valid(s.StepListSerializer)
            dossier_services.set_progress(
                dossier=dossier,
                steps=[(step["title"], step["done"]) for step in data["steps"]],
                by=_staff(request),
            )
        return Response(s.StepListSerializer({"steps": dossier.steps.all()}).data)


class DocumentViewSet(ListMixin, viewsets.ReadOnlyModelViewSet[Document]):
    serializer_class = s.DocumentSerializer
    parser_classes = [MultiPartParser, FormParser]
    cursor_ordering = ("created_at", "id")
    updated_field = "created_at"

    def get_queryset(self) -> QuerySet[Document]:
        return self.scoped(Document.objects.all())

    def handle_exception(self, exc: Exception) -> Response:
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
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def filter_list(self, queryset: _Rows) -> _Rows:
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
        responses={201: s.DocumentSerializer},
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
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
                by=_staff(request),
            )
        except UploadRejected as exc:
            raise ValidationError({"file": [str(exc)]}) from None
        return _created(document, s.DocumentSerializer)

    @extend_schema(
        responses={
            (200, media_type): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file, as an attachment."
            )
            for media_type in DOWNLOAD_MEDIA_TYPES
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """The file itself (e.g. what a client supplied), streamed; the download is audited."""
        return file_response(request, self.get_object())


class MessageViewSet(ListMixin, viewsets.ReadOnlyModelViewSet[Message]):
    serializer_class = s.MessageSerializer

    def get_queryset(self) -> QuerySet[Message]:
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
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def filter_list(self, queryset: _Rows) -> _Rows:
        queryset = super().filter_list(queryset)
        if self.request.query_params.get("open") in ("true", "1"):
            queryset = queryset.filter(
                direction=Message.Direction.OUTGOING, handled_at__isnull=True
            )
        return queryset

    @extend_schema(
        request=s.MessageCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.MessageSerializer},
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The office writes to a dossier's clients (R-OFF-4); the author is the token's staff
        member."""
        serializer = s.MessageCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            message = message_services.send_message(
                dossier=data["dossier"],
                sender=_staff(request),
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

    @extend_schema(
        operation_id="messages_mark_handled", request=None, responses={200: s.MessageSerializer}
    )
    @action(detail=True, methods=["post"])
    def handled(self, request: Request, pk: str | None = None) -> Response:
        """Mark a client's message handled (R-OFF-4); doing it twice changes nothing."""
        message = self.get_object()
        message_services.mark_handled(message=message, by=_staff(request))
        return Response(s.MessageSerializer(self.get_queryset().get(pk=message.pk)).data)


class TemplateViewSet(ListMixin, viewsets.ReadOnlyModelViewSet[QuestionnaireTemplate]):
    serializer_class = s.TemplateSerializer

    def get_queryset(self) -> QuerySet[QuestionnaireTemplate]:
        return self.scoped(QuestionnaireTemplate.objects.all())

    @extend_schema(parameters=[UPDATED_SINCE])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


class QuestionnaireViewSet(ListMixin, viewsets.ReadOnlyModelViewSet[Action]):
    def get_queryset(self) -> QuerySet[Action]:
        return self.scoped(Action.objects.filter(kind=Action.Kind.QUESTIONNAIRE))

    def get_serializer_class(self) -> type[Serializer[Any]]:
        if self.action == "list":
            return s.QuestionnaireSerializer
        return s.QuestionnaireDetailSerializer

    @extend_schema(parameters=[UPDATED_SINCE, DOSSIER_FILTER])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.QuestionnaireSendSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.QuestionnaireDetailSerializer},
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Send a questionnaire from a template to a client of the dossier (R-OFF-5)."""
        serializer = s.QuestionnaireSendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            sent = action_services.send_questionnaire(
                by=_staff(request), **serializer.validated_data
            )
        except DjangoValidationError as exc:
            raise _django_error(exc) from None
        return _created(sent, s.QuestionnaireDetailSerializer)

    @extend_schema(
        operation_id="questionnaires_download_pdf",
        responses={
            # Binary for generated clients (which know application/octet-stream, not PDF).
            (200, "application/pdf"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The answers as PDF."
            ),
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The answers as PDF."
            ),
        },
    )
    @action(detail=True, methods=["get"])
    def pdf(self, request: Request, pk: str | None = None) -> FileResponse:
        """The PDF of a completed questionnaire's answers (404 until it has been made)."""
        sent = self.get_object()
        if sent.pdf_document is None:
            raise Http404
        return file_response(request, sent.pdf_document)


class UploadRequestViewSet(ListMixin, viewsets.ReadOnlyModelViewSet[Action]):
    serializer_class = s.UploadRequestSerializer

    def get_queryset(self) -> QuerySet[Action]:
        return self.scoped(
            Action.objects.filter(kind=Action.Kind.UPLOAD).prefetch_related("supplied_documents")
        )

    @extend_schema(parameters=[UPDATED_SINCE, DOSSIER_FILTER])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=s.UploadRequestCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.UploadRequestSerializer},
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Ask a client of the dossier for a named document."""
        serializer = s.UploadRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            sent = action_services.request_upload(by=_staff(request), **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _django_error(exc) from None
        return _created(self.get_queryset().get(pk=sent.pk), s.UploadRequestSerializer)


@extend_schema(tags=["staff"])
class StaffViewSet(ListMixin, viewsets.ReadOnlyModelViewSet[User]):
    """The office's active staff members: the ids a dossier's ``handler`` takes."""

    serializer_class = s.StaffSerializer
    cursor_ordering = ("full_name", "id")

    def get_queryset(self) -> QuerySet[User]:
        return self.scoped(User.objects.filter(is_staff=True, is_active=True, client__isnull=True))

    def filter_list(self, queryset: _Rows) -> _Rows:
        return queryset


@extend_schema(tags=["webhooks"])
class WebhookEndpointViewSet(ListMixin, viewsets.ReadOnlyModelViewSet[WebhookEndpoint]):
    """The office's webhook endpoints: configuration, for a token that may configure
    (``roles.token_can``); a daily-work token is refused (403)."""

    permission_classes = [OfficeConfiguration]
    serializer_class = s.WebhookEndpointSerializer
    cursor_ordering = ("created_at", "id")

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        token = _token(self.request)
        if token is None:
            return WebhookEndpoint.objects.none()
        return self.scoped(WebhookEndpoint.objects.filter(office_id=token.office_id))

    def filter_list(self, queryset: _Rows) -> _Rows:
        return queryset

    @extend_schema(
        request=s.WebhookEndpointWriteSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.WebhookEndpointSecretSerializer},
        summary="Add a webhook endpoint; the answer holds its signing secret.",
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = s.WebhookEndpointWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        endpoint = WebhookEndpoint(**serializer.validated_data)
        integration_services.save_webhook(endpoint=endpoint, by=_staff(request))
        return _created(endpoint, s.WebhookEndpointSecretSerializer)

    @extend_schema(
        request=s.WebhookEndpointWriteSerializer,
        responses={200: s.WebhookEndpointSerializer},
        summary="Change the URL or the events, or deactivate (active false).",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        endpoint = self.get_object()
        serializer = s.WebhookEndpointWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        integration_services.update_webhook(
            endpoint=endpoint, by=_staff(request), **serializer.validated_data
        )
        return Response(s.WebhookEndpointSerializer(endpoint).data)

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.WebhookEndpointSecretSerializer},
        summary="A new signing secret; the previous one signs on for the rotation period.",
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    @idempotent
    def rotate_secret(self, request: Request, pk: str | None = None) -> Response:
        endpoint = self.get_object()
        integration_services.rotate_webhook_secret(endpoint=endpoint, by=_staff(request))
        return Response(s.WebhookEndpointSecretSerializer(endpoint).data)


@extend_schema(tags=["clients"])
class ClientStateViewSet(ApiViewMixin, viewsets.GenericViewSet[Client]):
    """Deactivating a client (every account blocked, its sessions ended) and reactivating it."""

    serializer_class = s.ClientStateSerializer

    def get_queryset(self) -> QuerySet[Client]:
        return self.scoped(Client.objects.prefetch_related("accounts"))

    def _answer(self, client: Client) -> Response:
        return Response(s.ClientStateSerializer(self.get_queryset().get(pk=client.pk)).data)

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.ClientStateSerializer},
        summary="Deactivate a client: every account blocked; doing it twice changes nothing.",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        client = self.get_object()
        account_services.set_client_active(client=client, active=False, by=_staff(request))
        return self._answer(client)

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.ClientStateSerializer},
        summary="Reactivate a client: every account unblocked.",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def reactivate(self, request: Request, pk: str | None = None) -> Response:
        client = self.get_object()
        account_services.set_client_active(client=client, active=True, by=_staff(request))
        return self._answer(client)

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={204: None},
        summary=(
            "Erase a client on its request (R-RET-3): its accounts, personal data, uploads and "
            "messages go; refused (400, with the dossiers) while one of its dossiers is open or "
            "held. Afterwards the client is not found (404)."
        ),
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def erase(self, request: Request, pk: str | None = None) -> Response:
        client = self.get_object()
        try:
            erasure.erase_client(client=client, by=_staff(request))
        except erasure.ErasureRefused as refused:
            raise ValidationError({"detail": erasure.refusal(refused.blockers)}) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["dossiers"])
class StepViewSet(ApiViewMixin, viewsets.GenericViewSet[Dossier]):
    """One step of a dossier's progress list."""

    serializer_class = s.StepSerializer

    def get_queryset(self) -> QuerySet[Dossier]:
        return self.scoped(Dossier.objects.all())

    @extend_schema(
        operation_id="dossiers_steps_partial_update",
        request=s.StepDoneSerializer,
        parameters=[
            OpenApiParameter(
                "position", OpenApiTypes.INT, OpenApiParameter.PATH, description="1 = the first."
            )
        ],
        responses={200: s.StepSerializer},
        summary="Tick off or untick one step; the other steps stay as they are.",
    )
    @action(detail=True, methods=["patch"], url_path=r"steps/(?P<position>[0-9]+)")
    def step(
        self, request: Request, pk: str | None = None, position: str | None = None
    ) -> Response:
        dossier = self.get_object()
        serializer = s.StepDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        step = dossier_services.set_step_done(
            dossier=dossier,
            position=_integer(position, "position") or 0,
            done=serializer.validated_data["done"],
            by=_staff(request),
        )
        if step is None:
            raise Http404
        return Response(s.StepSerializer(step).data)


@extend_schema(tags=["documents"])
class DocumentWithdrawViewSet(ApiViewMixin, viewsets.GenericViewSet[Document]):
    serializer_class = s.DocumentSerializer

    def get_queryset(self) -> QuerySet[Document]:
        return self.scoped(Document.objects.all())

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={204: None},
        summary="Withdraw a document the office published: clients no longer see it.",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        document = self.get_object()
        try:
            document_services.withdraw_document(document=document, by=_staff(request))
        except document_services.NotWithdrawable:
            raise ValidationError(
                {"detail": _("Only a document the office published itself can be withdrawn.")}
            ) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


class _CancelMixin(ApiViewMixin):
    kind: str

    def get_queryset(self) -> QuerySet[Action]:
        return self.scoped(Action.objects.filter(kind=self.kind))

    def _cancel(self, request: Request) -> Action:
        sent = cast(Action, self.get_object())
        if not action_services.cancel_action(action=sent, by=_staff(request)):
            raise ValidationError({"detail": _("Only an open request can be cancelled.")})
        return self.get_queryset().get(pk=sent.pk)


@extend_schema(tags=["questionnaires"])
class QuestionnaireCancelViewSet(_CancelMixin, viewsets.GenericViewSet[Action]):
    kind = Action.Kind.QUESTIONNAIRE
    serializer_class = s.QuestionnaireSerializer

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.QuestionnaireSerializer},
        summary="Cancel an open questionnaire: the client no longer sees it.",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return Response(s.QuestionnaireSerializer(self._cancel(request)).data)


@extend_schema(tags=["questionnaires"])
class UploadRequestCancelViewSet(_CancelMixin, viewsets.GenericViewSet[Action]):
    kind = Action.Kind.UPLOAD
    serializer_class = s.UploadRequestSerializer

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: s.UploadRequestSerializer},
        summary="Cancel an open upload request: the client no longer sees it.",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        return Response(s.UploadRequestSerializer(self._cancel(request)).data)


@extend_schema(tags=["messages"])
class DossierMessageViewSet(ApiViewMixin, viewsets.GenericViewSet[Dossier]):
    """The office's message with attachments: the files are staged and sent with the message
    the way the workspace's compose form does (``stage_upload``, ``send_message``), whole or
    nothing."""

    serializer_class = s.MessageSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[Dossier]:
        return self.scoped(Dossier.objects.all())

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, UploadStopped):
            # More than the upload limits allow, refused before the body was read.
            return Response({"detail": exc.message}, status=exc.status)
        return super().handle_exception(exc)

    @extend_schema(
        operation_id="dossiers_messages_create",
        request={"multipart/form-data": s.MessageWithAttachmentsSerializer},
        parameters=[IDEMPOTENCY_KEY],
        responses={201: s.MessageSerializer},
        summary="Write to the dossier's clients with files attached (multipart).",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def messages(self, request: Request, pk: str | None = None) -> Response:
        dossier = self.get_object()
        request.data  # noqa: B018 - parse the body
        refusals = refused_while_received(request._request)
        if refusals:
            raise ValidationError(
                {refusals[0].field_name: [f"{r.file_name}: {r.message}" for r in refusals]}
            )
        serializer = s.MessageWithAttachmentsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        staff = _staff(request)
        staged: list[StagedUpload] = []
        try:
            for upload in data["files"]:
                staged.append(
                    document_services.stage_upload(
                        dossier=dossier, file=upload, name=upload.name, by=staff
                    )
                )
            message = message_services.send_message(
                dossier=dossier,
                sender=staff,
                subject=data["subject"],
                body=data["body"],
                attachments=staged,
                reply_to=data.get("reply_to"),
            )
        except UploadRejected as exc:
            document_services.discard_staged(staged)
            raise ValidationError({"files": [f"{upload.name}: {exc}"]}) from None
        except DjangoValidationError as exc:
            document_services.discard_staged(staged)
            raise _django_error(exc) from None
        except ValueError:
            document_services.discard_staged(staged)
            raise ValidationError(
                {"reply_to": _("A reply stays in the dossier of the message it answers.")}
            ) from None
        answer = Message.objects.prefetch_related("attachments").get(pk=message.pk)
        return _created(answer, s.MessageSerializer)


CURSOR = OpenApiParameter(
    "cursor",
    OpenApiTypes.STR,
    description="Resume after this point: the `cursor` of the previous page (opaque).",
)
SINCE = OpenApiParameter(
    "since",
    OpenApiTypes.DATETIME,
    description="Without a cursor: start at this ISO 8601 moment (a few changes just before "
    "it may come along). Neither: start at the oldest change kept.",
)
CHANGES_PAGE_SIZE = OpenApiParameter(
    "page_size", OpenApiTypes.INT, description="At most this many changes (1–500, default 100)."
)


def _encode_cursor(after: int, horizon: datetime) -> str:
    raw = f"{after}.{int(horizon.timestamp())}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(text: str) -> tuple[int, datetime]:
    """The sequence number to resume after and the moment up to which the caller has every
    change; a 404 for anything that is not a cursor of ours."""
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
        after, seconds = (int(part) for part in raw.split("."))
        if after < 0 or seconds < 0:
            raise ValueError
        return after, datetime.fromtimestamp(seconds, tz=UTC)
    except (ValueError, UnicodeDecodeError, OverflowError, OSError):
        raise Http404 from None


@extend_schema(tags=["changes"])
class ChangeView(ApiViewMixin):
    """The changes feed: every change to what the API shows, in order, from a cursor.

    A change is listed once it is `CHANGES_SETTLE_SECONDS` old (30 by default): sequence
    numbers are taken when a row is written, not when it commits, so after the window every
    earlier number has committed or gone. Changes are kept `CHANGES_RETENTION_DAYS` (30 by
    default): an older cursor is a 410, and the client loads everything again."""

    serializer_class = s.ChangeSerializer

    def get_queryset(self) -> QuerySet[Change]:
        token = _token(self.request)
        if token is None:
            return Change.objects.none()
        return self.scoped(Change.objects.filter(office_id=token.office_id))

    @extend_schema(
        operation_id="changes_list",
        parameters=[CURSOR, SINCE, CHANGES_PAGE_SIZE],
        responses={
            200: s.ChangePageSerializer,
            404: OpenApiResponse(description="A cursor that is not one of ours."),
            410: OpenApiResponse(description="The cursor is older than the changes kept."),
        },
        summary="What changed since a cursor: follow it to keep a copy in sync.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        params = request.query_params
        limit = _integer(params.get("page_size"), "page_size") or 100
        if limit > 500:
            raise ValidationError({"page_size": _("At most 500.")})
        changes = self.get_queryset()
        kept = change_feed.kept_since()
        if params.get("cursor"):
            after, horizon = _decode_cursor(params["cursor"])
            if horizon < kept:
                raise problems.CursorExpired
        elif params.get("since"):
            moment = _moment(params["since"], "since")
            if moment < kept:
                raise problems.CursorExpired
            after = change_feed.first_after(changes, moment)
        else:
            after = 0
        until = change_feed.settled_before()
        rows = change_feed.feed(changes, after=after, limit=limit + 1, until=until)
        more = len(rows) > limit
        rows = rows[:limit]
        if rows:
            after = rows[-1].pk
        # Up to when the caller now has every change: the settled moment once caught up; the
        # last one listed (less the window, as numbers and moments may cross) otherwise.
        settle = timedelta(seconds=settings.CHANGES_SETTLE_SECONDS)
        horizon = rows[-1].at - settle if more else until
        cursor = _encode_cursor(after, horizon)
        page = {
            "results": rows,
            "cursor": cursor,
            "next": replace_query_param(
                remove_query_param(request.build_absolute_uri(), "since"), "cursor", cursor
            ),
            "more": more,
        }
        return Response(s.ChangePageSerializer(page).data)
