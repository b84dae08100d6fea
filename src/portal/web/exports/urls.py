from django.urls import path

from . import views

app_name = "exports"

urlpatterns = [
    path("mijn-gegevens/downloaden/", views.request_export, name="request"),
    path("mijn-gegevens/downloaden/<int:pk>/", views.download, name="download"),
]
