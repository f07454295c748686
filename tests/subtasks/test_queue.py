"""The queue shows "n of m done" and can show only tickets waiting on subtasks."""

from django.urls import reverse

from apps.subtasks.services import subtask_create, subtask_transition
from apps.tickets.selectors import ticket_list_for_queue
from apps.tickets.services import comment_add, ticket_create, ticket_update


def _ticket(requester, agent, team, subject):
    ticket = ticket_create(requester=requester, subject=subject, description="...")
    ticket_update(ticket=ticket, actor=agent, data={"team": team})
    return ticket


def test_progress_is_counted_in_the_queue_query(
    ticket, agent, kinds, requester, team, django_assert_num_queries
):
    comment_add(ticket=ticket, author=agent, body="First reply")
    comment_add(ticket=ticket, author=agent, body="Second reply")
    a = subtask_create(ticket=ticket, actor=agent, title="A", kind=kinds["Other"])
    subtask_create(ticket=ticket, actor=agent, title="B", kind=kinds["Other"])
    subtask_create(ticket=ticket, actor=agent, title="C", kind=kinds["Other"])
    subtask_transition(subtask=a, actor=agent, status="done")
    quiet = _ticket(requester, agent, team, "No subtasks here")

    # One query for the rows, one to check for tickets assigned outside the agent's teams.
    with django_assert_num_queries(2):
        rows = {t.pk: t for t in ticket_list_for_queue(user=agent)}
    assert (rows[ticket.pk].subtasks_done, rows[ticket.pk].subtasks_total) == (1, 3)
    assert (rows[quiet.pk].subtasks_done, rows[quiet.pk].subtasks_total) == (0, 0)


def test_the_queue_page_filters_waiting_on_subtasks_in_constant_queries(
    ticket, agent, agent_client, kinds, requester, team, django_assert_max_num_queries
):
    subtask_create(ticket=ticket, actor=agent, title="Open work", kind=kinds["Other"])
    finished = _ticket(requester, agent, team, "All work finished")
    done = subtask_create(ticket=finished, actor=agent, title="Done work", kind=kinds["Other"])
    subtask_transition(subtask=done, actor=agent, status="done")
    _ticket(requester, agent, team, "Never split")

    url = reverse("workspace:queue") + "?flag=waiting_on_subtasks"
    with django_assert_max_num_queries(20) as few:
        page = agent_client.get(url).content.decode()
    assert "Shelf prices wrong" in page
    assert "All work finished" not in page
    assert "Never split" not in page
    assert "0 of 1 done" in page

    for n in range(8):
        extra = _ticket(requester, agent, team, f"More work {n}")
        subtask_create(ticket=extra, actor=agent, title="W", kind=kinds["Other"])
    with django_assert_max_num_queries(len(few)):
        page = agent_client.get(url).content.decode()
    assert "More work 7" in page
