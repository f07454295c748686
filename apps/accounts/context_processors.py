"""Template context: the signed-in person's roles."""


def roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_agent": False, "is_lead": False}
    return {"is_agent": user.is_agent, "is_lead": user.is_lead}
