"""The office's admin for clients and accounts (R-OFF-1, for now): creating a client creates
its main account and, if asked, sends the invitation, through ``services``."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from portal.accounts import services
from portal.accounts.models import Client, User
from portal.adminsite.base import ConfigurationAdmin, RoleChecked, StackedInline


class ClientCreationForm(forms.ModelForm):
    email = forms.EmailField(label=_("E-mail address of the main account"))
    full_name = forms.CharField(
        label=_("Contact name"), required=False, help_text=_("Empty uses the client's name.")
    )
    language = forms.ChoiceField(label=_("Language"), choices=User.Language.choices)
    send_invitation = forms.BooleanField(
        label=_("Send the invitation e-mail now"), required=False, initial=True
    )

    class Meta:
        model = Client
        fields = ["kind", "name", "reference"]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address already exists."))
        return email


class AccountInline(StackedInline):
    model = User
    fk_name = "client"
    extra = 0
    fields = ["email", "full_name", "is_main_account", "is_active", "password_set_at", "last_login"]
    readonly_fields = ["email", "password_set_at", "last_login"]
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Client)
class ClientAdmin(ConfigurationAdmin):
    list_display = ["name", "kind", "reference", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "reference", "accounts__email"]
    actions = ["send_invitation"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ClientCreationForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "kind",
                "name",
                "reference",
                "email",
                "full_name",
                "language",
                "send_invitation",
            ]
        return ["kind", "name", "reference"]

    def get_inlines(self, request, obj):
        return [AccountInline] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = services.create_client(
            kind=data["kind"],
            name=data["name"],
            reference=data.get("reference", ""),
            email=data["email"],
            full_name=data.get("full_name", ""),
            language=data["language"],
            invite=data.get("send_invitation", False),
            by=request.user,
        )
        # Let the admin continue with the object the service created.
        obj.pk = created.pk
        obj.created_at = created.created_at
        obj._state.adding = False
        obj._state.db = created._state.db

    @admin.action(description=_("Send the invitation e-mail (again)"))
    def send_invitation(self, request, queryset):
        sent = 0
        for user in User.objects.filter(client__in=queryset, is_active=True):
            services.invite_user(user=user, by=request.user)
            sent += 1
        self.message_user(request, _("%(n)d invitation(s) sent.") % {"n": sent}, messages.SUCCESS)


@admin.register(User)
class UserAdmin(RoleChecked, DjangoUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "client",
        "is_main_account",
        "is_staff",
        "staff_role",
        "is_active",
        "last_login",
    ]
    list_filter = ["is_staff", "staff_role", "is_active", "language"]
    list_select_related = ["client"]
    search_fields = ["email", "full_name", "client__name"]
    autocomplete_fields = ["client"]
    readonly_fields = ["last_login", "date_joined", "password_set_at"]
    actions = ["send_invitation", "disable_two_step"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "language", "password"]}),
        (_("Client"), {"fields": ["client", "is_main_account"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "staff_role"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined", "password_set_at"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "full_name",
                    "language",
                    "client",
                    "is_main_account",
                    "is_staff",
                    "staff_role",
                ],
            },
        ),
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = UserCreationForm
        return super().get_form(request, obj, **kwargs)

    @admin.action(description=_("Turn off two-step verification (lost phone and codes)"))
    def disable_two_step(self, request, queryset):
        from portal.twofactor import services as twofactor
        from portal.twofactor.passkeys import own_session

        users = list(queryset)
        for user in users:
            twofactor.disable(user=user, by=request.user, keep_session=own_session(request, user))
        self.message_user(
            request,
            _("Two-step verification turned off for %(n)d account(s).") % {"n": len(users)},
            messages.SUCCESS,
        )

    def delete_model(self, request, obj):
        # R-ME-4: the same path as the company's own "delete": audit, and its sessions end.
        if not obj.is_main_account and obj.client_id and obj.client.is_company:
            services.remove_account(account=obj, by=request.user)
            return
        services.end_sessions(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("client"):
            self.delete_model(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.set_unusable_password()
        super().save_model(request, obj, form, change)
        if not change and not obj.is_staff:
            services.invite_user(user=obj, by=request.user)

    @admin.action(description=_("Send the invitation e-mail (again)"))
    def send_invitation(self, request, queryset):
        users = list(queryset.filter(is_active=True))
        for user in users:
            services.invite_user(user=user, by=request.user)
        self.message_user(
            request, _("%(n)d invitation(s) sent.") % {"n": len(users)}, messages.SUCCESS
        )


class UserCreationForm(forms.ModelForm):
    """A new account gets no password: the invitation lets its owner set one."""

    class Meta:
        model = User
        fields = [
            "email",
            "full_name",
            "language",
            "client",
            "is_main_account",
            "is_staff",
            "staff_role",
        ]
