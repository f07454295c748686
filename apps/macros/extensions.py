"""How macros plug into tickets: the picker in the agent's reply box."""

from django.urls import reverse

from apps.tickets import extensions

from .selectors import macro_get_usable
from .services import macro_apply


def picker_context(request, ticket) -> dict:
    """The search address for this ticket, and the macro already chosen when a sent reply came
    back with an error (named only if this agent may use it)."""
    chosen = None
    if request.method == "POST" and request.POST.get("macro"):
        chosen = macro_get_usable(user=request.user, macro_id=request.POST["macro"])
    return {
        "search_url": reverse("macros:search", args=[ticket.reference]),
        "chosen": chosen,
    }


def register() -> None:
    extensions.reply_option(
        extensions.ReplyOption(
            name="macro",
            template="macros/_picker.html",
            apply=macro_apply,
            context=picker_context,
        )
    )
