"""A burst of notifications: ``python -m bench.loadtest.burst --count N --marker M``.

Stores N e-mails through ``outbox_enqueue`` in one transaction, as a rule notifying a crowd
would; each is published to the worker when the transaction commits. Each carries the header
``X-Loadtest-Burst: M-<n>`` so the run can count what was delivered, message by message.
"""

import argparse
import time

import django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--marker", required=True)
    args = parser.parse_args()
    django.setup()
    from django.db import transaction

    from apps.core.outbox import outbox_enqueue

    started = time.perf_counter()
    with transaction.atomic():
        for n in range(args.count):
            outbox_enqueue(
                kind="loadtest_burst",
                to=f"burst-{n % 500}@example.com",
                subject=f"Planned maintenance tonight ({n})",
                body="The card terminals restart at 02:00; nothing to do on your side.",
                dedupe_key=f"loadtest-burst:{args.marker}:{n}",
                headers={"X-Loadtest-Burst": f"{args.marker}-{n}"},
            )
    # Committed and published: what the run measures from here is the worker's.
    print(f"enqueued {args.count} in {time.perf_counter() - started:.2f} s", flush=True)


if __name__ == "__main__":
    main()
