from __future__ import annotations

import factory

from portal.accounts.models import Client, User
from portal.accounts.roles import Role
from portal.dossiers.models import Dossier, DossierAccess, ProgressStep
from portal.offices.models import DossierStatus

PASSWORD = "Geheim-wachtwoord9"


class StatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DossierStatus
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Status {n}")
    in_progress = True


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    kind = Client.Kind.PERSON
    name = factory.Faker("name", locale="nl_NL")

    class Params:
        company = factory.Trait(
            kind=Client.Kind.COMPANY, name=factory.Faker("company", locale="nl_NL")
        )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="nl_NL")
    client = factory.SubFactory(ClientFactory)
    is_main_account = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    """A handler: the daily work in the workspace."""

    client = None
    is_staff = True
    staff_role = Role.HANDLER


class AdministratorFactory(StaffFactory):
    """An office administrator: the workspace and the admin's configuration."""

    staff_role = Role.ADMINISTRATOR


class DossierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dossier

    number = factory.Sequence(lambda n: f"2026.{n:05d}")
    description = factory.Sequence(lambda n: f"Levering woning Kerkstraat {n}, Utrecht")
    status = factory.SubFactory(StatusFactory, name="In behandeling", in_progress=True)


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgressStep

    dossier = factory.SubFactory(DossierFactory)
    position = factory.Sequence(int)
    title = factory.Sequence(lambda n: f"Stap {n}")
    done = False


def grant(dossier: Dossier, client: Client) -> DossierAccess:
    return DossierAccess.objects.create(dossier=dossier, client=client)
