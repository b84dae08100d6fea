from django.http import JsonResponse
from django.urls import path


def live(request):
    """The same answer as the portal's ``/health/live/``."""
    return JsonResponse({"status": "ok"})


urlpatterns = [path("health/live/", live)]
