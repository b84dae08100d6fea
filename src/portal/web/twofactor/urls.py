from django.urls import path

from . import views

app_name = "twofactor"

urlpatterns = [
    path("inloggen/code/", views.login_code, name="login_code"),
    path("inloggen/code/sms/", views.login_resend, name="login_resend"),
    path("inloggen/code/passkey/", views.login_passkey, name="login_passkey"),
    path("mijn-gegevens/verificatie/sms/", views.setup_sms, name="sms_setup"),
    path("mijn-gegevens/verificatie/sms/code/", views.sms_confirm, name="sms_confirm"),
    path("mijn-gegevens/verificatie/sms/opnieuw/", views.sms_resend, name="sms_resend"),
    path("mijn-gegevens/verificatie/app/", views.totp_start, name="totp_start"),
    path("mijn-gegevens/verificatie/app/code/", views.totp_confirm, name="totp_confirm"),
    path("mijn-gegevens/verificatie/herstelcodes/", views.recovery_codes, name="recovery_codes"),
    path("mijn-gegevens/verificatie/uitzetten/", views.disable, name="disable"),
    path("mijn-gegevens/verificatie/passkey/", views.passkey_add, name="passkey_add"),
    path("mijn-gegevens/verificatie/passkey/maken/", views.passkey_create, name="passkey_create"),
    path(
        "mijn-gegevens/verificatie/passkey/<int:pk>/verwijderen/",
        views.passkey_remove,
        name="passkey_remove",
    ),
]
