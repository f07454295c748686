"""Keeps tiered support in step with what happens: time per tier on every ticket event, the
first accepting agent as holder, and a new holder when one leaves their team."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from apps.accounts.models import Membership

from ..signals import ticket_event
from .services import (
    holder_claim_for_event,
    holder_notify_for_event,
    holder_reassign_after_leaving,
    tier_time_record,
)


@receiver(ticket_event, dispatch_uid="tiers.time_per_tier")
def record_time_per_tier(sender, event, **kwargs):
    tier_time_record(event=event)


@receiver(ticket_event, dispatch_uid="tiers.touch_and_hold")
def claim_holder(sender, event, **kwargs):
    holder_claim_for_event(event=event)


@receiver(ticket_event, dispatch_uid="tiers.holder_news")
def tell_holder(sender, event, **kwargs):
    holder_notify_for_event(event=event)


@receiver(post_delete, sender=Membership, dispatch_uid="tiers.holder_left_team")
def holder_left_team(sender, instance, **kwargs):
    holder_reassign_after_leaving(user_id=instance.user_id, team_id=instance.team_id)
