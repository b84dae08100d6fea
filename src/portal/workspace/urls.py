from django.urls import path

from . import approvals, erasure_views, signing, views

app_name = "workspace"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("verificatie/", views.setup_2fa, name="setup_2fa"),
    path("zoeken/", views.search, name="search"),
    path("berichten/<int:msg_id>/afgehandeld/", views.message_handled, name="message_handled"),
    path("documenten/<int:doc_id>/gezien/", views.document_seen, name="document_seen"),
    path("documenten/<int:doc_id>/download/", views.download, name="download"),
    path("documenten/<int:doc_id>/bekijken/", views.preview, name="preview"),
    path("documenten/<int:doc_id>/bekijken/<int:page>/", views.preview_page, name="preview_page"),
    path("acties/<int:action_id>/", views.action, name="action"),
    path("acties/<int:action_id>/afgehandeld/", views.action_handled, name="action_handled"),
    path("dossiers/", views.dossier_list, name="dossiers"),
    path("dossiers/nieuw/", views.dossier_new, name="dossier_new"),
    path("dossiers/<int:pk>/", views.dossier, name="dossier"),
    path("dossiers/<int:pk>/wijzigen/", views.dossier_edit, name="dossier_edit"),
    path("dossiers/<int:pk>/toegang/", views.grant, name="grant"),
    path("dossiers/<int:pk>/toegang/<int:client_id>/intrekken/", views.revoke, name="revoke"),
    path("dossiers/<int:pk>/blokkade/", views.place_hold, name="place_hold"),
    path("dossiers/<int:pk>/blokkade/opheffen/", views.lift_hold, name="lift_hold"),
    path("dossiers/<int:pk>/voortgang/", views.progress, name="progress"),
    path("dossiers/<int:pk>/publiceren/", views.publish, name="publish"),
    path("dossiers/<int:pk>/logboek/", views.audit_trail, name="audit"),
    path("dossiers/<int:pk>/berichten/nieuw/", views.message, name="message_new"),
    path("dossiers/<int:pk>/berichten/<int:msg_id>/", views.message, name="message"),
    path("dossiers/<int:pk>/vragenlijst/", views.send_questionnaire, name="send_questionnaire"),
    path("dossiers/<int:pk>/uploadverzoek/", views.request_upload, name="request_upload"),
    path("dossiers/<int:pk>/akkoordverzoek/", approvals.request_approval, name="request_approval"),
    path("acties/<int:action_id>/intrekken/", approvals.cancel_approval, name="cancel_approval"),
    path("dossiers/<int:pk>/ondertekenverzoek/", signing.create, name="signing_new"),
    path("ondertekenverzoeken/<int:request_id>/", signing.detail, name="signing_request"),
    path(
        "ondertekenverzoeken/<int:request_id>/intrekken/",
        signing.withdraw,
        name="signing_withdraw",
    ),
    path("klanten/", views.client_list, name="clients"),
    path("klanten/nieuw/", views.client_new, name="client_new"),
    path("klanten/<int:pk>/", views.client, name="client"),
    path("klanten/<int:pk>/logboek/", views.client_audit_trail, name="client_audit"),
    path("klanten/<int:pk>/wissen/", erasure_views.client_erase, name="client_erase"),
    path("klanten/<int:pk>/accounts/", views.account_add, name="account_add"),
    path("klanten/<int:pk>/accounts/<int:user_id>/uitnodigen/", views.invite, name="invite"),
    path(
        "klanten/<int:pk>/accounts/<int:user_id>/verwijderen/",
        views.account_remove,
        name="account_remove",
    ),
    path(
        "klanten/<int:pk>/accounts/<int:user_id>/blokkeren/",
        views.account_block,
        name="account_block",
    ),
]
