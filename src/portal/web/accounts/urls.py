from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from portal.accounts import session_timeout

from . import views

app_name = "accounts"

urlpatterns = [
    path("inloggen/", login_not_required(views.LoginView.as_view()), name="login"),
    path("inloggen/passkey/", views.passkey_login, name="passkey_login"),
    path("inloggen/passkey/opties/", views.passkey_login_options, name="passkey_login_options"),
    path("inloggen/link/", views.login_link_form, name="login_link_form"),
    path("inloggen/link/<str:token>/", views.login_link, name="login_link"),
    path("uitloggen/", auth_views.LogoutView.as_view(), name="logout"),
    path("sessie/verlengen/", session_timeout.keep_alive, name="keep_alive"),
    path("welkom/", views.invitation, name="invitation_form"),
    path("welkom/<str:token>/", views.invitation_link, name="invitation"),
    path("wachtwoord/instellen/", views.forgot_password, name="forgot_password"),
    path("wachtwoord/nieuw/", views.set_password, name="set_password_form"),
    path("wachtwoord/nieuw/<str:token>/", views.set_password_link, name="set_password"),
    path("mijn-gegevens/", views.profile, name="profile"),
    path("mijn-gegevens/notificaties/", views.notification_settings, name="notifications"),
    path("mijn-gegevens/accounts/", views.extra_accounts, name="extra_accounts"),
    path("mijn-gegevens/accounts/nieuw/", views.extra_account_add, name="extra_account_add"),
    path("mijn-gegevens/accounts/<int:pk>/", views.extra_account, name="extra_account"),
    path(
        "mijn-gegevens/accounts/<int:pk>/verwijderen/",
        views.extra_account_delete,
        name="extra_account_delete",
    ),
    path("taal/", views.choose_language, name="language"),
]
