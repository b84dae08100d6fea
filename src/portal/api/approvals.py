"""Approval requests in the API (R-SIG-4, R-OFF-6): ask clients of a dossier to approve a
published document, read the requests and their answers, cancel an open one. The same services
as the workspace (``portal.questionnaires.approvals``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from portal.accounts.models import Client
from portal.documents.models import Document
from portal.dossiers.models import Dossier
from portal.questionnaires import approvals
from portal.questionnaires.models import Action, ApprovalRequest

from .idempotency import idempotent
from .views import (
    DOSSIER_FILTER,
    IDEMPOTENCY_KEY,
    UPDATED_SINCE,
    ListMixin,
    _django_error,
    _staff,
)


class ApprovalRequestSerializer(serializers.ModelSerializer):
    """One client's approval request and, once given, its answer."""

    document = serializers.IntegerField(
        source="approval.document_id",
        allow_null=True,
        read_only=True,
        help_text="Null once the office has withdrawn the document.",
    )
    document_title = serializers.CharField(source="approval.document_title", read_only=True)
    due_date = serializers.DateField(source="approval.due_date", allow_null=True, read_only=True)
    explanation = serializers.CharField(source="description_nl", read_only=True)
    answer = serializers.ChoiceField(
        source="approval.answer",
        choices=[("", ""), *ApprovalRequest.Answer.choices],
        read_only=True,
        help_text="Empty until answered.",
    )
    remark = serializers.CharField(source="approval.remark", read_only=True)
    document_sha256 = serializers.CharField(
        source="approval.document_sha256",
        read_only=True,
        help_text="The SHA-256 of the file when the client answered; empty until then.",
    )
    answered_at = serializers.DateTimeField(
        source="approval.answered_at", allow_null=True, read_only=True
    )
    answered_by = serializers.IntegerField(
        source="approval.answered_by_id", allow_null=True, read_only=True
    )
    answered_from = serializers.IPAddressField(
        source="approval.answered_from", allow_null=True, read_only=True
    )

    class Meta:
        model = Action
        fields = [
            "id",
            "dossier",
            "client",
            "document",
            "document_title",
            "due_date",
            "explanation",
            "status",
            "answer",
            "remark",
            "document_sha256",
            "answered_at",
            "answered_by",
            "answered_from",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ApprovalRequestCreateSerializer(serializers.Serializer):
    dossier = serializers.PrimaryKeyRelatedField(queryset=Dossier.objects.all())
    document = serializers.PrimaryKeyRelatedField(
        queryset=Document.objects.all(), help_text="A document the office published in the dossier."
    )
    clients = serializers.ListField(
        child=serializers.PrimaryKeyRelatedField(queryset=Client.objects.all()),
        min_length=1,
        help_text="Clients granted the dossier; each gets a request of its own.",
    )
    due_date = serializers.DateField(required=False, allow_null=True)
    # No max_length: the service refuses an over-long explanation with the lengths.
    explanation = serializers.CharField(required=False, allow_blank=True)


class ApprovalRequestsCreatedSerializer(serializers.Serializer):
    """The requests made by one call: one per client, in the order of ``clients``."""

    results = ApprovalRequestSerializer(many=True, read_only=True)


class ApprovalRequestViewSet(ListMixin, viewsets.ReadOnlyModelViewSet[Action]):
    serializer_class = ApprovalRequestSerializer

    def get_queryset(self) -> QuerySet[Action]:
        return self.scoped(
            Action.objects.filter(kind=Action.Kind.APPROVAL).select_related("approval")
        )

    @extend_schema(parameters=[UPDATED_SINCE, DOSSIER_FILTER])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=ApprovalRequestCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: ApprovalRequestsCreatedSerializer},
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Ask one or more clients of the dossier to approve a published document (R-SIG-4):
        one request per client, all in the answer."""
        serializer = ApprovalRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            sent = approvals.request_approval(
                dossier=data["dossier"],
                document=data["document"],
                clients=list(dict.fromkeys(data["clients"])),
                due_date=data.get("due_date"),
                explanation=data.get("explanation", ""),
                by=_staff(request),
            )
        except DjangoValidationError as exc:
            raise _django_error(exc) from None
        rows = self.get_queryset().filter(pk__in=[a.pk for a in sent]).order_by("pk")
        return Response(
            ApprovalRequestsCreatedSerializer({"results": rows}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: ApprovalRequestSerializer},
        summary="Cancel an open approval request: the client can no longer answer it.",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        sent = self.get_object()
        if not approvals.cancel_approval(action=sent, by=_staff(request)):
            raise ValidationError({"detail": _("Only an open request can be cancelled.")})
        return Response(ApprovalRequestSerializer(self.get_queryset().get(pk=sent.pk)).data)
