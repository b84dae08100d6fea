from django.urls import path

from . import views

app_name = "dossiers"

urlpatterns = [
    path("", views.dossier_list, name="list"),
    path("<int:pk>/", views.dossier_detail, name="detail"),
    path("<int:pk>/<slug:tab>/", views.dossier_detail, name="tab"),
]
