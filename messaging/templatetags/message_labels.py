from django import template

from messaging.labels import message_status_label, message_type_label

register = template.Library()


@register.filter
def type_label(message: object) -> str:
    """{{ message|type_label }}: the words for a Message's type, by its direction."""
    return message_type_label(
        getattr(message, "message_type", "") or "", getattr(message, "direction", "") or ""
    )


@register.filter
def status_label(status: object) -> str:
    return message_status_label(str(status or ""))
