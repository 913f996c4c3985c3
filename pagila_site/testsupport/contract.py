"""What the contract (API.md) fixes that more than one test checks."""

#: The OpenAPI tags, one per resource, in the contract's order.
CONTRACT_TAGS = [
    "films",
    "customers",
    "rentals",
    "payments",
    "subscriptions",
    "me",
    "ai",
    "holds",
    "transfers",
    "inventory",
    "changes",
]
