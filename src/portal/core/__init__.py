"""What every layer shares and no domain owns: the request's office (``tenancy``) and the
scoping of office data (``scoping``). Imports nothing of the portal."""
