"""What the contract (API.md) fixes that more than one test checks."""

#: The OpenAPI tags, one per resource, in the contract's order (v1.2's holds, transfers and inventory
#: join as their endpoints are built).
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
    "changes",
]
