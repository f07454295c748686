"""Template context: navigation entries that feature apps registered.

Everyday pages go in the bar; the leads' reports are gathered under one "Reports" menu so the
bar stays on one line.
"""

from django.urls import reverse

from .extensions import nav_links_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_extra": [], "nav_reports": []}
    # Once per request: a ticket page renders a dozen panels, each with the context processors.
    if not hasattr(request, "_navigation"):
        request._navigation = _navigation(user)
    return request._navigation


def _navigation(user) -> dict:
    links = [
        {
            "label": n.label,
            "url": reverse(n.url_name),
            "name": n.url_name,
            "lead": n.audience == "lead",
        }
        for n in nav_links_for(user)
    ]
    return {
        "nav_extra": [link for link in links if not link["lead"]],
        "nav_reports": [link for link in links if link["lead"]],
    }
