"""The client's and the public pages: one interface app, a module or package per area. Above
the domain apps and ``portal.ui``; beside the workspace, the API and the admin configuration,
which it does not import (the contracts in pyproject.toml)."""
