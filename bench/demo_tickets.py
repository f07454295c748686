"""Tickets the demo's routing rules place (apps/routing/demo.py), for what opens tickets
through the API: the queue benchmark and the load test's intake. Each is (subject with {n},
category, product, location), names of the demo's lookups."""

ROUTED = [
    ("Locked out of my account on till {n}", "Cannot sign in", "Laptop", "Store 204 Lille"),
    ("Card terminal {n} declines every contactless payment", "Card payment declined",
     "Card payments", "Store 112 Lyon"),
    ("No network at the store, till {n} is down", "Network outage", "Wi-Fi", "Store 087 Nantes"),
    ("Till {n} will not print receipts", "Till or POS error", "Store POS", "Store 301 Bordeaux"),
    ("Overtime missing from payslip {n}", "Payroll discrepancy", "Payroll", "Head office Paris"),
    ("Shared mailbox {n} is full", "E-mail problem", "E-mail", "Head office Paris"),
    ("VPN drops every few minutes on laptop {n}", "Slow or unstable connection", "VPN",
     "Remote / home office"),
]  # fmt: skip

# Placed only on a desk configured with the bench's subtask rule (bench/bench_queue.py).
WITH_SUBTASKS = (
    "Price import fails: {n} shelf labels show old prices",
    "Data correction",
    "Inventory app",
    "Store 112 Lyon",
)
