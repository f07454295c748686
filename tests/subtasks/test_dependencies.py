"""Subtasks may wait for each other, but never in a circle."""

import pytest

from apps.core.errors import ApplicationError
from apps.subtasks.services import subtask_create, subtask_transition, subtask_update
from apps.tickets.services import ticket_create


@pytest.fixture
def chain(ticket, agent, kinds):
    fix = subtask_create(ticket=ticket, actor=agent, title="Fix data", kind=kinds["Data fix"])
    test = subtask_create(
        ticket=ticket, actor=agent, title="Write test", kind=kinds["New test"], depends_on=[fix]
    )
    release = subtask_create(
        ticket=ticket, actor=agent, title="Release", kind=kinds["Other"], depends_on=[test]
    )
    return fix, test, release


def test_a_cycle_is_rejected_with_a_message_naming_it(chain, agent):
    fix, _test, release = chain
    with pytest.raises(ApplicationError) as refused:
        subtask_update(subtask=fix, actor=agent, data={"depends_on": [release]})
    assert refused.value.field == "depends_on"
    assert "Fix data → Release → Write test → Fix data" in refused.value.message
    assert list(fix.depends_on.all()) == []


def test_a_subtask_cannot_wait_for_itself_or_another_tickets_work(
    chain, agent, kinds, requester, team
):
    fix, _, _ = chain
    with pytest.raises(ApplicationError, match="itself"):
        subtask_update(subtask=fix, actor=agent, data={"depends_on": [fix]})
    elsewhere = ticket_create(requester=requester, subject="Other", description="Other")
    elsewhere.team = team
    elsewhere.save()
    foreign = subtask_create(ticket=elsewhere, actor=agent, title="Foreign", kind=kinds["Other"])
    with pytest.raises(ApplicationError, match="another ticket"):
        subtask_update(subtask=fix, actor=agent, data={"depends_on": [foreign]})


def test_work_cannot_be_done_before_what_it_waits_for(chain, agent):
    fix, test, _ = chain
    with pytest.raises(ApplicationError, match="First finish: “Fix data”"):
        subtask_transition(subtask=test, actor=agent, status="done")
    subtask_transition(subtask=fix, actor=agent, status="done")
    assert subtask_transition(subtask=test, actor=agent, status="done") is True
