"""gunicorn's settings for the app servers: ``gunicorn -c python:portal.gunicorn_config
portal.wsgi`` (docs/deployment.md). Its error and access logs go through the portal's
redacting handler (JSON by default, see portal/logs.py); the rest (bind, workers, timeout)
come from the command line or GUNICORN_CMD_ARGS."""

from portal.logs import gunicorn_logconfig

accesslog = "-"
logconfig_dict = gunicorn_logconfig()
