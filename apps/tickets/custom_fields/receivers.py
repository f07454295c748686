"""A saved or deleted custom field, or a change of its categories, moves the version every
process checks (``selectors.active_fields``): admin edits take effect at once everywhere."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from .models import CustomField
from .selectors import fields_forget


def _forget(**kwargs) -> None:
    # Now, and again once committed: a process that re-read the list in between saw the old.
    fields_forget()
    transaction.on_commit(fields_forget)


def register() -> None:
    post_save.connect(_forget, sender=CustomField, dispatch_uid="custom-fields-saved")
    post_delete.connect(_forget, sender=CustomField, dispatch_uid="custom-fields-deleted")
    m2m_changed.connect(
        _forget, sender=CustomField.categories.through, dispatch_uid="custom-fields-categories"
    )
