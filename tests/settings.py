"""Test runs use portal.settings unchanged; this module only supplies the environment a test run
needs (a throw-away var/ folder, a key) before importing it."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="klantportaal-test-"))
os.environ.pop("CELERY_BROKER_URL", None)
os.environ.pop("EMAIL_URL", None)
os.environ.pop("S3_BUCKET", None)
os.environ.pop("CLAMAV_URL", None)
# The test client and the live server speak plain HTTP (production redirects to HTTPS).
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")

from portal.settings import *  # noqa: E402,F403
from portal.settings import INSTALLED_APPS as _INSTALLED_APPS  # noqa: E402

# The development commands (demo, generate_data) are tested too; the app goes in here rather
# than through PORTAL_DEV_APP, which would leak into the servers some tests start.
if "portal_dev" not in _INSTALLED_APPS:
    INSTALLED_APPS = [*_INSTALLED_APPS, "portal_dev"]

# Hashing with PBKDF2 at production strength costs ~0.3 s a password; the hasher is not what
# these tests prove.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# No collectstatic before tests: serve static files from the apps, as in the embedded mode.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = VAR_DIR / "static"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The office row is not cached between requests in tests (Office.cached): every test's database
# starts empty again, and the query counts stay independent of what an earlier request cached.
# tests/test_office_cache.py turns it on to prove the cache and its invalidation.
OFFICE_CACHE_SECONDS = 0
# The test client's host (testserver) and the live server's are the first office's.
OFFICE_FALLBACK = True

# The offices of the tests of many offices (R-TEN-*) are served on host names under .example.
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1", ".example"]

# The changes feed lists a change at once (no settle window): a test follows the feed right
# after its writes. tests/test_api_changes.py sets a window to prove it.
CHANGES_SETTLE_SECONDS = 0
