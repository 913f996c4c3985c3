"""Renting a copy through the API, the way a till does."""


def rent(client, customer_id: int, inventory_id: int | None = None, *, staff_id: int = 1, body=None):
    """``POST /api/v1/customers/{customer_id}/rentals/``; the response.

    The body is ``{"inventory_id", "staff_id"}``, or ``body`` exactly as given (any JSON: the
    refusal tests send missing fields and bodies that are not objects).
    """
    if body is None:
        body = {"inventory_id": inventory_id, "staff_id": staff_id}
    return client.post(f"/api/v1/customers/{customer_id}/rentals/", body, format="json")
