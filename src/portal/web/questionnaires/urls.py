from django.urls import path

from . import approvals, views

app_name = "questionnaires"

urlpatterns = [
    path("", views.action_list, name="list"),
    path("<int:pk>/invullen/", views.resume, name="resume"),
    path("<int:pk>/invullen/<int:page>/", views.fill_page, name="page"),
    path("<int:pk>/controleren/", views.overview, name="overview"),
    path("<int:pk>/resultaat/", views.result, name="result"),
    path("<int:pk>/uploaden/", views.upload, name="upload"),
    path("<int:pk>/akkoord/", approvals.approval, name="approval"),
]
