from django.contrib import admin

from portal.adminsite.base import ConfigurationAdmin
from portal.notifications.models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ConfigurationAdmin):
    list_display = ["created_at", "kind", "to", "sent_at", "attempts", "last_error"]
    list_filter = ["kind"]
    search_fields = ["to"]
    readonly_fields = [
        "to",
        "from_email",
        "subject",
        "kind",
        "created_at",
        "sent_at",
        "attempts",
        "last_error",
    ]
    exclude = ["body_text", "body_html"]

    def has_add_permission(self, request):
        return False
