"""Development tools: the demo data (``manage.py demo``) and the benchmark data set
(``manage.py generate_data``). Not part of the runtime package: pyproject.toml builds only
``portal``, and the settings install this app only with DEBUG or PORTAL_DEV_APP=1 when it is
importable (from the source tree: manage.py, pytest and the editable install put ``src`` on the
path)."""
