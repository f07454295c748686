"""Keeps tiered support in step with what happens: the first accepting agent as holder, time
per tier, the holder's news, and a new holder when one leaves their team."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from apps.accounts.models import Membership

from ..events import ORDER, reaction
from .services import (
    HOLDER_NEWS,
    TIER_TIME_KINDS,
    holder_claim,
    holder_notify,
    holder_reassign_after_leaving,
    tier_time_record,
)


def register() -> None:
    reaction(
        "tiers.holder",
        lambda ticket, events: holder_claim(ticket=ticket, events=events),
        order=ORDER["holder"],
        kinds=["created", "changed"],
    )
    reaction(
        "tiers.time_per_tier",
        lambda ticket, events: tier_time_record(ticket=ticket, events=events),
        order=ORDER["tier_time"],
        kinds=TIER_TIME_KINDS,
    )
    reaction(
        "tiers.holder_news",
        lambda ticket, events: holder_notify(ticket=ticket, events=events),
        order=ORDER["holder_news"],
        kinds=HOLDER_NEWS,
    )


@receiver(post_delete, sender=Membership, dispatch_uid="tiers.holder_left_team")
def holder_left_team(sender, instance, **kwargs):
    holder_reassign_after_leaving(user_id=instance.user_id, team_id=instance.team_id)
