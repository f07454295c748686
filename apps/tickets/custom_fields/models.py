"""Fields an admin adds to tickets of some categories ("order id", "store", "till number"):
asked on intake, kept per ticket, read by routing rules, queue filters, exports and the API."""

from django.core.validators import RegexValidator
from django.db import models


class FieldKind(models.TextChoices):
    TEXT = "text", "Text"
    NUMBER = "number", "Number"
    CHOICE = "choice", "Choice"
    DATE = "date", "Date"


class CustomField(models.Model):
    label = models.CharField(max_length=80, help_text="What the intake form asks, e.g. Order id.")
    key = models.CharField(
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(
                r"^[a-z][a-z0-9_]*$", "Lower-case letters, digits and _, starting with a letter."
            )
        ],
        help_text="Its name in rules, filters, exports and the API (cf_<key>), e.g. order_id.",
    )
    kind = models.CharField(max_length=10, choices=FieldKind.choices, default=FieldKind.TEXT)
    choices = models.TextField(blank=True, help_text="For a choice: one option per line.")
    categories = models.ManyToManyField(
        "tickets.Category",
        blank=True,
        related_name="custom_fields",
        help_text="Asked for tickets of these categories; none chosen: asked for every ticket.",
    )
    required = models.BooleanField(
        default=False, help_text="Requesters must answer it (for its categories)."
    )
    help_text = models.CharField(max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order", "label"]

    def __str__(self):
        return self.label

    @property
    def name(self) -> str:
        """The form field, query parameter and rule field: ``cf_<key>``."""
        return f"cf_{self.key}"

    @property
    def options(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class FieldValue(models.Model):
    """One ticket's answer, as text: a number in plain digits, a date as YYYY-MM-DD, a choice
    as its option."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="field_values"
    )
    field = models.ForeignKey(CustomField, on_delete=models.CASCADE, related_name="values")
    value = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["ticket", "field"], name="field_value_once")]
        indexes = [models.Index(fields=["field", "value"], name="field_value_lookup_idx")]

    def __str__(self):
        return f"{self.field.key}={self.value}"
