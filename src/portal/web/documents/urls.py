from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("<int:doc_id>/download/", views.download, name="download"),
    path("<int:doc_id>/bekijken/", views.preview, name="preview"),
    path("<int:doc_id>/bekijken/<int:page>/", views.preview_page, name="preview_page"),
]
