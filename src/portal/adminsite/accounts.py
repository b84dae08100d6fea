"""Clients and accounts in the admin. Clients and their accounts are daily work, done in the
workspace; here clients are read only, and office administrators manage staff accounts."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from portal.accounts import services
from portal.accounts.models import Client, User
from portal.adminsite.base import ReadOnlyAdmin, ReadOnlyInline, RoleChecked
from portal.twofactor import services as twofactor
from portal.twofactor.passkeys import own_session


class AccountInline(ReadOnlyInline):
    model = User
    fk_name = "client"
    fields = [
        "email",
        "full_name",
        "is_main_account",
        "is_active",
        "password_set_at",
        "last_login",
    ]
    show_change_link = True


@admin.register(Client)
class ClientAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "reference", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "reference", "accounts__email"]
    fields = ["kind", "name", "reference"]
    readonly_fields = fields  # type: ignore[assignment]  # a flat list of names
    inlines = [AccountInline]


class StaffCreationForm(forms.ModelForm):
    """A new staff member gets no password: the invitation lets its owner set one. Client
    accounts are added in the workspace."""

    class Meta:
        model = User
        fields = ["email", "full_name", "language", "staff_role"]

    def clean_email(self) -> str:
        # Unique per office (R-TEN-3): the constraint names the office, which the form leaves out.
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(_("An account with this e-mail address exists already."))
        return email


@admin.register(User)
class UserAdmin(RoleChecked, DjangoUserAdmin):
    """Accounts: office administrators add staff members and set their role; for any account
    they block or unblock it, send the invitation again, turn two-step verification off (lost
    phone and codes) and remove a company's extra account. Each through ``accounts.services``
    or ``twofactor.services``, with the same audit names as the workspace."""

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
    readonly_fields = [
        "client",
        "is_main_account",
        "is_staff",
        "last_login",
        "date_joined",
        "password_set_at",
    ]
    actions = ["send_invitation", "disable_two_step"]
    fieldsets = [
        (None, {"fields": ["email", "full_name", "language"]}),
        (_("Client"), {"fields": ["client", "is_main_account"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "staff_role"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined", "password_set_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "language", "staff_role"]}),
    ]
    add_form = StaffCreationForm

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if not obj.is_staff:
            return [*self.readonly_fields, "staff_role"]
        return self.readonly_fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one at a time, through the services
        return actions

    def has_delete_permission(self, request, obj=None) -> bool:
        # Only a company's extra account is removed (as in the workspace); others are blocked.
        return (
            super().has_delete_permission(request, obj)
            and obj is not None
            and not obj.is_main_account
            and obj.client_id is not None
            and obj.client.is_company
        )

    def user_change_password(self, request, id, form_url=""):
        # Passwords are set by their owners, through the invitation's link.
        raise PermissionDenied

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            created = services.add_staff_account(
                email=data["email"],
                full_name=data.get("full_name", ""),
                language=data["language"],
                role=data["staff_role"],
                by=request.user,
            )
            # Let the admin continue with the object the service created.
            obj.pk = created.pk
            obj._state.adding = False
            obj._state.db = created._state.db
            return
        account = User.objects.get(pk=obj.pk)
        details = {
            name: data[name]
            for name in ("email", "full_name", "language")
            if name in form.changed_data
        }
        services.update_account(account=account, by=request.user, **details)
        if "is_active" in form.changed_data:
            services.set_blocked(account=account, blocked=not data["is_active"], by=request.user)
        if "staff_role" in form.changed_data:
            services.set_staff_role(account=account, role=data["staff_role"], by=request.user)

    def delete_model(self, request, obj):
        # R-ME-4: the same path as the company's own "delete": audit, and its sessions end.
        services.remove_account(account=obj, by=request.user)

    @admin.action(description=_("Send the invitation e-mail (again)"))
    def send_invitation(self, request, queryset):
        users = list(queryset.filter(is_active=True))
        for user in users:
            services.invite_user(user=user, by=request.user)
        self.message_user(
            request, _("%(n)d invitation(s) sent.") % {"n": len(users)}, messages.SUCCESS
        )

    @admin.action(description=_("Turn off two-step verification (lost phone and codes)"))
    def disable_two_step(self, request, queryset):
        users = list(queryset)
        for user in users:
            twofactor.disable(user=user, by=request.user, keep_session=own_session(request, user))
        self.message_user(
            request,
            _("Two-step verification turned off for %(n)d account(s).") % {"n": len(users)},
            messages.SUCCESS,
        )
