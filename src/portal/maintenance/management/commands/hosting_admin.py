"""``manage.py hosting_admin EMAIL``: add a hosting administrator (R-TEN-4), an account of no
office that signs in only at the hosting site (``HOSTING_HOSTS``/hosting/) with its password and
an authenticator app. Prints the password and the authenticator's set-up address once."""

from __future__ import annotations

import secrets

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import User
from portal.core import tenancy


class Command(BaseCommand):
    help = "Add a hosting administrator (no office; the hosting site only) and print its login."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")

    def handle(self, *args, email: str, **options) -> None:
        email = email.strip().lower()
        password = secrets.token_urlsafe(18)
        with tenancy.cross_office(), transaction.atomic():
            if User.objects.filter(email__iexact=email, office__isnull=True).exists():
                raise CommandError(f"A hosting administrator {email} exists already.")
            user = User.objects.create_superuser(email, password)
            device = TOTPDevice.objects.create(user=user, name="hosting", confirmed=True)
        self.stdout.write(f"Hosting administrator: {email}")
        self.stdout.write(f"Password (shown once): {password}")
        self.stdout.write(f"Authenticator app (shown once): {device.config_url}")
