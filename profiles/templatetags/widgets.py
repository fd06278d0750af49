"""`{{ form.field|remembered }}`: a choice widget's markup, rendered once per selection.

Django renders every option of a select, radio or checkbox group through its own
widget templates, about a millisecond an option on this machine: the profiles table's
Filters pane (24 options) and the inbox's Type select (40) cost more than those pages'
SQL. For a field whose choices are constants, the markup depends only on the field,
its choices and what is selected, so it is rendered once for each and remembered.
Only for fixed choices: a model choice field would read its queryset to build the key.
"""

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

_HTML: dict[tuple, SafeString] = {}
_MAX = 1024  # selections remembered per process (then forgotten all at once)


@register.filter
def remembered(field: BoundField) -> SafeString:
    """str(field), remembered for the same widget, name, choices, attributes and value."""
    value = field.value()
    selected = tuple(value) if isinstance(value, list | tuple) else value
    widget = field.field.widget
    # The widget's class, not the form's: a FilterSet builds a new form class each time.
    key = (
        type(widget),
        widget.template_name,
        field.html_name,
        field.auto_id,
        tuple(getattr(field.field, "choices", ())),  # a choice field's; others have none
        tuple(sorted((k, str(v)) for k, v in widget.attrs.items())),
        selected,
    )
    html = _HTML.get(key)
    if html is None:
        if len(_HTML) >= _MAX:
            _HTML.clear()
        html = _HTML[key] = SafeString(str(field))
    return html
