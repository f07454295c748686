"""Factories of the subtasks tests."""

from apps.subtasks.models import SubtaskKind, SubtaskTemplate, SubtaskTemplateItem


def template_with_items(name="Wrong data after a bug", *, emails=("dan.data@example.com",)):
    """A template like the admin would define: a data fix, a workaround, a non-blocking test."""
    kinds = {k.name: k for k in SubtaskKind.objects.all()}
    template = SubtaskTemplate.objects.create(name=name)
    rows = [
        ("Correct the wrong records", "Data fix", True, emails[0] if emails else ""),
        ("Announce a workaround", "Workaround", True, ""),
        ("Add an automated test", "New test", False, ""),
    ]
    for order, (title, kind, blocking, email) in enumerate(rows):
        SubtaskTemplateItem.objects.create(
            template=template,
            order=order,
            title=title,
            kind=kinds[kind],
            blocking=blocking,
            due_in_days=order + 1,
            assignee_email=email,
        )
    return template
