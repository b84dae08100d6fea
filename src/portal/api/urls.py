from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import approvals, docs, views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("clients", views.ClientViewSet, basename="client")
router.register("statuses", views.StatusViewSet, basename="status")
router.register("dossiers", views.DossierViewSet, basename="dossier")
router.register("documents", views.DocumentViewSet, basename="document")
router.register("messages", views.MessageViewSet, basename="message")
router.register("questionnaire-templates", views.TemplateViewSet, basename="questionnaire-template")
router.register("questionnaires", views.QuestionnaireViewSet, basename="questionnaire")
router.register("upload-requests", views.UploadRequestViewSet, basename="upload-request")
router.register("approval-requests", approvals.ApprovalRequestViewSet, basename="approval-request")
router.register("staff", views.StaffViewSet, basename="staff")
router.register("webhook-endpoints", views.WebhookEndpointViewSet, basename="webhook-endpoint")
# Actions on the resources above, each under its resource's path (no list or detail route of
# their own, so they shadow nothing).
router.register("clients", views.ClientStateViewSet, basename="client-state")
router.register("dossiers", views.StepViewSet, basename="dossier-step")
router.register("documents", views.DocumentWithdrawViewSet, basename="document-withdraw")
router.register("questionnaires", views.QuestionnaireCancelViewSet, basename="questionnaire-cancel")
router.register(
    "upload-requests", views.UploadRequestCancelViewSet, basename="upload-request-cancel"
)
router.register("dossiers", views.DossierMessageViewSet, basename="dossier-message")

app_name = "api"
urlpatterns = [
    path("v1/changes/", views.ChangeView.as_view(), name="changes"),
    path("v1/", include(router.urls)),
    # A token or a staff session (or API_DOCS_PUBLIC), checked by the views (api/docs.py).
    path("schema/", login_not_required(docs.SchemaView.as_view()), name="schema"),
    # The "split" view serves its script as a file (?script), not inline: it works under the
    # Content-Security-Policy without 'unsafe-inline'.
    path(
        "docs/",
        login_not_required(docs.DocsView.as_view(url_name="api:schema")),
        name="docs",
    ),
]
