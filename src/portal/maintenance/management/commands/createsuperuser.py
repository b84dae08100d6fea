"""Django's ``createsuperuser``, across offices: the account it makes belongs to no office, a
hosting administrator (``manage.py hosting_admin`` also gives it the authenticator app the
hosting site asks for). An office's administrators are invited with ``manage.py office add``."""

from __future__ import annotations

from django.contrib.auth.management.commands import createsuperuser

from portal.core import tenancy


class Command(createsuperuser.Command):
    def handle(self, *args, **options):
        with tenancy.cross_office():
            return super().handle(*args, **options)
