from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from portal.adminsite.hosting import hosting_site
from portal.health import views as health_views
from portal.web import offices as office_views
from portal.web import outbox as outbox_views
from portal.web.dossiers import views as dossier_views

# A database outage answers 503 ("try again in a moment"), anything else the generic 500 page;
# under /api/ these and Django's own 400 and 404 are problem details (portal.errors).
handler400 = "portal.errors.bad_request"
handler404 = "portal.errors.page_not_found"
handler500 = "portal.errors.server_error"

urlpatterns = [
    path("", dossier_views.home, name="home"),
    path("", include("portal.web.accounts.urls")),
    path("", include("portal.web.twofactor.urls")),
    path("", include("portal.web.exports.urls")),
    path("dossiers/", include("portal.web.dossiers.urls")),
    path("dossiers/<int:pk>/documenten/", include("portal.web.documents.urls")),
    path("dossiers/<int:pk>/berichten/", include("portal.web.messaging.urls")),
    path("acties/", include("portal.web.questionnaires.urls")),
    path("kantoor/logo/", login_not_required(office_views.logo), name="office_logo"),
    path(
        "toegankelijkheid/",
        login_not_required(office_views.accessibility_statement),
        name="accessibility_statement",
    ),
    path("kantoor/", include("portal.workspace.urls")),
    path("beheer/", admin.site.urls),
    # Only on HOSTING_HOSTS (portal.offices.middleware): the offices, across offices.
    path("hosting/", hosting_site.urls),
    path("health/live/", health_views.live, name="health_live"),
    path("health/ready/", health_views.ready, name="health_ready"),
    path("api/", include("portal.api.urls")),
    # The development outbox answers 404 unless DEBUG is on (see its views).
    path("dev/outbox/", login_not_required(outbox_views.outbox), name="dev_outbox"),
    path(
        "dev/outbox/<str:name>/",
        login_not_required(outbox_views.outbox_message),
        name="dev_outbox_message",
    ),
]
