"""Signing requests in the API (R-SIG-5, R-OFF-6): create one (a published PDF, the signers'
account ids, an explanation), read it with each signer's status, withdraw it. Through
``questionnaires.signing``, as the workspace does; the webhooks ``signing.completed`` and
``signing.declined`` tell a case-management system when to read it again."""

from __future__ import annotations

from typing import Any, cast

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from portal.accounts.models import User
from portal.documents.models import Document
from portal.questionnaires import signing
from portal.questionnaires.models import Signer, SigningRequest

from .idempotency import idempotent
from .views import (
    DOSSIER_FILTER,
    IDEMPOTENCY_KEY,
    UPDATED_SINCE,
    ListMixin,
    _created,
    _django_error,
    _staff,
)


class SignerSerializer(serializers.ModelSerializer):
    # Empty until the signer has signed.
    method = serializers.ChoiceField(
        choices=Signer.Method.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = Signer
        fields = [
            "account",
            "name",
            "email",
            "status",
            "signed_at",
            "method",
            "ip",
            "document_sha256",
            "declined_at",
            "decline_reason",
        ]
        read_only_fields = fields


class SigningRequestSerializer(serializers.ModelSerializer):
    signers = SignerSerializer(many=True, read_only=True)

    class Meta:
        model = SigningRequest
        fields = [
            "id",
            "dossier",
            "document",
            "explanation",
            "status",
            "signed_document",
            "signers",
            "created_at",
            "updated_at",
            "closed_at",
        ]
        read_only_fields = fields


class SigningRequestCreateSerializer(serializers.Serializer):
    document = serializers.PrimaryKeyRelatedField(queryset=Document.objects.all())
    signers = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(client__isnull=False), many=True, allow_empty=False
    )
    explanation = serializers.CharField(required=False, allow_blank=True, max_length=4000)


@extend_schema(tags=["signing requests"])
class SigningRequestViewSet(ListMixin, viewsets.ReadOnlyModelViewSet[SigningRequest]):
    serializer_class = SigningRequestSerializer

    def get_queryset(self) -> QuerySet[SigningRequest]:
        return self.scoped(
            SigningRequest.objects.prefetch_related(
                Prefetch("signers", Signer.objects.order_by("position", "pk"))
            )
        )

    @extend_schema(parameters=[UPDATED_SINCE, DOSSIER_FILTER])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=SigningRequestCreateSerializer,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: SigningRequestSerializer},
    )
    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Ask client accounts with access to the document's dossier to sign a published PDF."""
        serializer = SigningRequestCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            made = signing.request_signatures(
                document=data["document"],
                accounts=data["signers"],
                explanation=data.get("explanation", ""),
                by=_staff(request),
            )
        except DjangoValidationError as exc:
            raise _django_error(exc) from None
        return _created(self.get_queryset().get(pk=made.pk), SigningRequestSerializer)

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={200: SigningRequestSerializer},
        summary="Withdraw an open signing request: the signers no longer see it.",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        found = cast(SigningRequest, self.get_object())
        if not signing.withdraw(request=found, by=_staff(request)):
            raise ValidationError({"detail": _("Only an open signing request can be withdrawn.")})
        return Response(SigningRequestSerializer(self.get_queryset().get(pk=found.pk)).data)
