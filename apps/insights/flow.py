"""How tickets moved between tiers: how far they went, how often they came back, where the time
went — over the tickets resolved in a period, in one aggregate query."""

from django.db.models import Avg, Count, Q, Sum

from .kpis import RESOLVED, basis_rows
from .scope import Scope

TIERS = (1, 2, 3)


def escalation_flow(scope: Scope) -> dict:
    """Over the tickets resolved in the period:

    - ``resolved``; ``stayed_tier1``, ``reached_tier2``, ``reached_tier3`` (by the highest tier
      each reached);
    - ``escalations`` and ``hand_backs`` (totals) and ``bounce_rate`` (hand-backs ÷
      escalations, %; None without escalations);
    - ``time_at_tier``: {tier: mean seconds spent there by the tickets that reached it};
    - ``steps``: where time was lost between tiers — for each move up (1→2, 2→3), over the
      tickets that made it (reached the higher tier), the mean seconds spent at the tier
      before (``before``) and at the tier after (``after``), and which was longer
      (``slower``: "before", "after" or None). From the time per tier, not the order of
      events: a ticket that went back and forth adds all its time at each tier.
    """
    start, end = scope.bounds()
    reached = {n: Q(max_tier__gte=n) for n in TIERS}
    row = basis_rows(scope, RESOLVED, start, end).aggregate(
        resolved=Count("pk"),
        stayed_tier1=Count("pk", filter=Q(max_tier__lte=1)),
        **{f"reached_tier{n}": Count("pk", filter=reached[n]) for n in (2, 3)},
        escalations=Sum("escalations"),
        hand_backs=Sum("hand_backs"),
        **{f"time_{n}": Avg(f"tier{n}_seconds", filter=reached[n]) for n in TIERS},
        **{
            f"step{n}_{side}": Avg(f"tier{n + offset}_seconds", filter=reached[n + 1])
            for n in (1, 2)
            for side, offset in (("before", 0), ("after", 1))
        },
    )
    escalations, hand_backs = row["escalations"] or 0, row["hand_backs"] or 0
    steps = []
    for n in (1, 2):
        before, after = row[f"step{n}_before"], row[f"step{n}_after"]
        slower = None
        if before is not None and after is not None and before != after:
            slower = "before" if before > after else "after"
        steps.append(
            {
                "from_tier": n,
                "to_tier": n + 1,
                "tickets": row[f"reached_tier{n + 1}"],
                "before": before,
                "after": after,
                "slower": slower,
            }
        )
    return {
        "resolved": row["resolved"],
        "stayed_tier1": row["stayed_tier1"],
        "reached_tier2": row["reached_tier2"],
        "reached_tier3": row["reached_tier3"],
        "escalations": escalations,
        "hand_backs": hand_backs,
        "bounce_rate": 100 * hand_backs / escalations if escalations else None,
        "time_at_tier": {n: row[f"time_{n}"] for n in TIERS},
        "steps": steps,
    }
