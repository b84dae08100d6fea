"""The floor of ``bench/pages.py``: the same Django, one view, nothing else.

No middleware, no installed apps, no database, no templates: what any Django page costs before
the portal adds anything. Served by the same gunicorn with the same workers as the portal, so
the ratio page ÷ this view shows what the portal itself costs per request.
"""

import os

SECRET_KEY = os.environ.get("SECRET_KEY", "bench-bare-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bare.urls"
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
TEMPLATES: list = []
USE_TZ = True
LOGGING_CONFIG = None
