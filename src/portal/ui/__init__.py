"""Interface support shared by more than one interface (the client's pages in ``portal.web``,
the workspace, the API, the admin configuration): below them, above the domain apps. Nothing
here imports an interface."""
