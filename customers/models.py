"""People and places: unmanaged models over Pagila's tables, plus streaming subscriptions.

Maps ``country``, ``city``, ``address``, ``store``, ``staff`` and ``customer`` as Pagila's schema
defines them. ``staff.picture`` (bytea) and ``staff.password`` are left out: nothing here
reads them and the password column holds a legacy SHA-1 hash we must never expose.
``streaming_subscription`` is ours (managed, created by migration ``0002``), and so is
``customers_staffaccount`` (migration ``0003``): which Django user is which Pagila staff member.

The ``in_scope(scope)`` methods are the one definition of what a caller sees, per model; the
caller's stores come from ``customers.scope``.
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Now, Upper


class Country(models.Model):
    country_id = models.AutoField(primary_key=True)
    country = models.TextField()
    last_update = models.DateTimeField(db_default=Now())

    class Meta:
        managed = False
        db_table = "country"
        ordering = ["country"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return self.country


class City(models.Model):
    city_id = models.AutoField(primary_key=True)
    city = models.TextField()
    country = models.ForeignKey(Country, models.DO_NOTHING, related_name="cities")
    last_update = models.DateTimeField(db_default=Now())

    class Meta:
        managed = False
        db_table = "city"
        ordering = ["city"]
        verbose_name_plural = "cities"

    def __str__(self) -> str:
        return self.city


class AddressQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Addresses of customers and stores in ``scope``, and those nothing uses yet (one just
        added for a new customer); not another store's customers' or staff members' homes."""
        if scope.every_store:
            return self
        stores = scope.store_ids
        used = (
            models.Exists(Customer.objects.filter(address=models.OuterRef("pk")))
            | models.Exists(Store.objects.filter(address=models.OuterRef("pk")))
            | models.Exists(Staff.objects.filter(address=models.OuterRef("pk")))
        )
        return self.filter(
            models.Exists(Customer.objects.filter(address=models.OuterRef("pk"), store_id__in=stores))
            | models.Exists(Store.objects.filter(address=models.OuterRef("pk"), store_id__in=stores))
            | ~used
        )


class Address(models.Model):
    address_id = models.AutoField(primary_key=True)
    address = models.TextField()
    address2 = models.TextField(null=True, blank=True)
    district = models.TextField()
    city = models.ForeignKey(City, models.DO_NOTHING, related_name="addresses")
    postal_code = models.TextField(null=True, blank=True)
    phone = models.TextField()
    last_update = models.DateTimeField(db_default=Now())

    objects = AddressQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "address"
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"{self.address}, {self.district}"


class StoreQuerySet(models.QuerySet):
    def in_scope(self, scope):
        return self if scope.every_store else self.filter(store_id__in=scope.store_ids)


class Store(models.Model):
    store_id = models.AutoField(primary_key=True)
    # No foreign key in Pagila (store and staff reference each other); unique per store.
    manager_staff_id = models.IntegerField(unique=True)
    address = models.ForeignKey(Address, models.DO_NOTHING, related_name="+")
    last_update = models.DateTimeField(db_default=Now())

    objects = StoreQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "store"
        ordering = ["store_id"]

    def __str__(self) -> str:
        return f"Store {self.store_id}"


class StaffQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Staff a caller may pick: a linked caller only itself, a superuser anyone."""
        if scope.every_store:
            return self
        return self.filter(pk=scope.staff_id) if scope.staff_id is not None else self.none()


class Staff(models.Model):
    staff_id = models.AutoField(primary_key=True)
    first_name = models.TextField()
    last_name = models.TextField()
    address = models.ForeignKey(Address, models.DO_NOTHING, related_name="+")
    email = models.TextField(null=True, blank=True)
    store = models.ForeignKey(Store, models.DO_NOTHING, related_name="staff")
    active = models.BooleanField(db_default=True)
    username = models.TextField()
    last_update = models.DateTimeField(db_default=Now())

    objects = StaffQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "staff"
        ordering = ["staff_id"]
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class StaffAccount(models.Model):
    """A back-office user who is a Pagila staff member, and so works for that member's stores.

    One user per staff member and one staff member per user: a desk shared by several people
    gets one account each, so every rental and payment names who took it.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, primary_key=True, related_name="staff_account"
    )
    staff = models.OneToOneField(Staff, models.DO_NOTHING, related_name="account")

    class Meta:
        db_table = "customers_staffaccount"
        verbose_name = "staff account"

    def __str__(self) -> str:
        return f"{self.user} as staff member {self.staff_id}"


#: The fewest digits of a phone number the counter's search matches on.
PHONE_DIGITS_MATCHED = 4


class CustomerQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Customers whose home store is one of ``scope``'s."""
        return self if scope.every_store else self.filter(store_id__in=scope.store_ids)

    def active(self):
        return self.filter(active=1)

    def desk_search(self, text: str):
        """Customers the counter finds for ``text``: every word in the first name, last name or
        email, or, for a word of at least 4 digits, in the phone number (the API's ``search``
        leaves phones out, as the contract says). Shorter numbers are ids, not bits of phones,
        which nearly every phone would contain.
        """
        queryset = self
        for word in text.split():
            matches = Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(email__icontains=word)
            if word.isascii() and word.isdigit() and len(word) >= PHONE_DIGITS_MATCHED:
                matches |= Q(address__phone__contains=word)
            queryset = queryset.filter(matches)
        return queryset


def block_reasons(balance, overdue_rentals: int) -> list[str]:
    """Why a customer may not rent (the contract's block rule): ``balance`` when they owe more
    than ``CIRCULATION_MAX_BALANCE``, ``overdue`` when more than ``CIRCULATION_MAX_OVERDUE`` of
    their rentals are overdue; empty when neither. The figures are SQL's
    (``rentals.models.with_block``); the rental service and the customer detail both ask here."""
    reasons = []
    if balance > settings.CIRCULATION_MAX_BALANCE:
        reasons.append("balance")
    if overdue_rentals > settings.CIRCULATION_MAX_OVERDUE:
        reasons.append("overdue")
    return reasons


class Customer(models.Model):
    customer_id = models.AutoField(primary_key=True)
    store = models.ForeignKey(Store, models.DO_NOTHING, related_name="customers")
    first_name = models.TextField()
    last_name = models.TextField()
    email = models.TextField(null=True, blank=True)
    address = models.ForeignKey(Address, models.DO_NOTHING, related_name="customers")
    activebool = models.BooleanField(db_default=True)
    create_date = models.DateField(db_default=Now())
    last_update = models.DateTimeField(null=True, db_default=Now())
    # Pagila's own flag: 1 active, 0 inactive (``activebool`` is a legacy duplicate).
    active = models.IntegerField(null=True, blank=True)

    objects = CustomerQuerySet.as_manager()

    class Meta:
        managed = False
        db_table = "customer"
        ordering = ["customer_id"]
        # Created by migration 0004: searches for any part of a name or an email (Django's
        # icontains is UPPER(column) LIKE UPPER('%text%')), by the back office and the counter.
        indexes = [
            GinIndex(OpClass(Upper(column), name="gin_trgm_ops"), name=f"customer_{column}_trgm")
            for column in ("first_name", "last_name", "email")
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def is_active(self) -> bool:
        return self.active == 1

    @property
    def blocked_reasons(self) -> list[str]:
        """:func:`block_reasons` from the ``balance`` and ``overdue_rentals`` annotations."""
        return block_reasons(self.balance, self.overdue_rentals)


class StreamingSubscriptionQuerySet(models.QuerySet):
    def in_scope(self, scope):
        """Subscriptions of customers in ``scope``."""
        return self if scope.every_store else self.filter(customer__store_id__in=scope.store_ids)


class StreamingSubscription(models.Model):
    customer = models.ForeignKey(Customer, models.DO_NOTHING, related_name="subscriptions")
    plan_name = models.CharField(max_length=50)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    objects = StreamingSubscriptionQuerySet.as_manager()

    class Meta:
        db_table = "streaming_subscription"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="streaming_subscription_end_after_start",
                violation_error_message="end_date must be on or after start_date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan_name} for customer {self.customer_id}"
