from django.contrib import admin

from profiles.admin import HistoryAdmin

from .models import Attachment, Conversation, Message


@admin.register(Message)
class MessageAdmin(HistoryAdmin):
    list_display = ["phone_number", "direction", "message_type", "status", "campaign", "created_at"]
    list_filter = ["direction", "status", "channel"]
    raw_id_fields = ["profile", "broadcast", "previous", "in_reply_to"]
    show_full_result_count = False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["name", "company", "content_type", "size", "archived_at"]


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ["profile", "campaign", "awaiting", "updated_at"]
    raw_id_fields = ["profile", "last_message"]
