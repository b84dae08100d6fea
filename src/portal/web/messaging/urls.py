from django.urls import path

from . import views

app_name = "messaging"

urlpatterns = [
    path("nieuw/", views.new_message, name="new"),
    path("bijlagen/", views.upload_attachment, name="upload_attachment"),
    path(
        "bijlagen/<uuid:key>/verwijderen/",
        views.remove_attachment,
        name="remove_attachment",
    ),
    path("<int:msg_id>/", views.message_detail, name="detail"),
    path("<int:msg_id>/beantwoorden/", views.reply, name="reply"),
]
