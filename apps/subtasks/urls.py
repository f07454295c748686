from django.urls import path

from .views import agent, collaborator

app_name = "subtasks"
urlpatterns = [
    # The collaborator: e-mailed link, their task, their list.
    path("link/<str:token>/", collaborator.link, name="link"),
    path("link/<str:token>/renew/", collaborator.link_renew, name="link-renew"),
    path("sign-out/", collaborator.sign_out, name="sign-out"),
    path("mine/", collaborator.mine, name="mine"),
    path("task/<int:pk>/", collaborator.task, name="task"),
    path("task/<int:pk>/finish/", collaborator.finish, name="finish"),
    path("task/<int:pk>/comment/", collaborator.comment, name="comment"),
    path("files/<int:pk>/", collaborator.attachment, name="attachment"),
    # The agent's panel on a ticket, and the leads' list.
    path("ticket/<str:reference>/add/", agent.subtask_add, name="add"),
    path("ticket/<str:reference>/template/", agent.template_apply, name="apply-template"),
    path("ticket/<str:reference>/override/", agent.override, name="override"),
    path("<int:pk>/transition/", agent.transition, name="transition"),
    path("<int:pk>/answer/", agent.answer, name="answer"),
    path("<int:pk>/share/", agent.share, name="share"),
    path("<int:pk>/new-link/", agent.new_link, name="new-link"),
    path("<int:pk>/delete/", agent.delete, name="delete"),
    path("overdue/", agent.overdue, name="overdue"),
]
