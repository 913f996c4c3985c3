"""Inventory, rentals and payments: unmanaged models over Pagila's tables.

Maps ``inventory``, ``rental`` and the partitioned ``payment`` table (primary key
``(payment_date, payment_id)``; rows live in the monthly ``payment_p2022_*`` partitions).
"""

from django.db import models
from django.db.models.functions import Now

from customers.models import Customer, Staff, Store
from films.models import Film


class Inventory(models.Model):
    inventory_id = models.AutoField(primary_key=True)
    film = models.ForeignKey(Film, models.DO_NOTHING, related_name="inventory")
    store = models.ForeignKey(Store, models.DO_NOTHING, related_name="inventory")
    last_update = models.DateTimeField(db_default=Now())

    class Meta:
        managed = False
        db_table = "inventory"
        ordering = ["inventory_id"]
        verbose_name_plural = "inventory"

    def __str__(self) -> str:
        return f"Copy {self.inventory_id}"


class Rental(models.Model):
    rental_id = models.AutoField(primary_key=True)
    rental_date = models.DateTimeField()
    inventory = models.ForeignKey(Inventory, models.DO_NOTHING, related_name="rentals")
    customer = models.ForeignKey(Customer, models.DO_NOTHING, related_name="rentals")
    return_date = models.DateTimeField(null=True, blank=True)
    staff = models.ForeignKey(Staff, models.DO_NOTHING, related_name="rentals")
    last_update = models.DateTimeField(db_default=Now())

    class Meta:
        managed = False
        db_table = "rental"
        ordering = ["-rental_date", "-rental_id"]

    def __str__(self) -> str:
        return f"Rental {self.rental_id}"


class Payment(models.Model):
    pk = models.CompositePrimaryKey("payment_date", "payment_id")
    payment_id = models.IntegerField()
    customer = models.ForeignKey(Customer, models.DO_NOTHING, related_name="payments")
    staff = models.ForeignKey(Staff, models.DO_NOTHING, related_name="payments")
    rental = models.ForeignKey(Rental, models.DO_NOTHING, related_name="payments")
    amount = models.DecimalField(max_digits=5, decimal_places=2)
    payment_date = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "payment"
        ordering = ["-payment_date", "-payment_id"]

    def __str__(self) -> str:
        return f"Payment {self.payment_id}"
