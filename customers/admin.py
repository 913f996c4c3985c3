"""Customers, staff, stores and streaming subscriptions in the back office."""

from django.contrib import admin
from django.db.models import BooleanField, ExpressionWrapper, Q

from customers.models import Address, Customer, Staff, StaffAccount, Store, StreamingSubscription
from pagila_site.backoffice.admin_filters import CheckedDateHierarchy, id_input_filter
from pagila_site.backoffice.change_history import ChangeHistoryAdmin
from pagila_site.backoffice.changelists import BigListAdmin
from pagila_site.backoffice.csv_export import CsvExportMixin
from pagila_site.backoffice.scoping import InScopeAdmin
from rentals.models import with_open_rentals


class ActiveListFilter(admin.SimpleListFilter):
    """Pagila's ``customer.active`` is an integer: 1 active, 0 inactive."""

    title = "active"
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("1", "Active"), ("0", "Inactive")]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(active=1)
        if self.value() == "0":
            return queryset.exclude(active=1)
        return queryset


class StreamingSubscriptionInline(InScopeAdmin, admin.TabularInline):
    model = StreamingSubscription
    extra = 0
    fields = ["plan_name", "start_date", "end_date"]


@admin.register(Customer)
class CustomerAdmin(BigListAdmin, CsvExportMixin, InScopeAdmin, ChangeHistoryAdmin, admin.ModelAdmin):
    list_display = [
        "customer_id",
        "last_name",
        "first_name",
        "email",
        "store_id",
        "is_active",
        "open_rentals",
    ]
    list_display_links = ["customer_id", "last_name"]
    # Not open rentals: ordering by it counts every customer's.
    sortable_by = ["customer_id", "last_name", "first_name", "email", "store_id", "is_active"]
    list_filter = [ActiveListFilter, id_input_filter("store_id", "store id")]
    search_fields = ["first_name", "last_name", "email"]
    raw_id_fields = ["store", "address"]
    readonly_fields = ["open_rentals", "create_date"]
    fields = ["first_name", "last_name", "email", "store", "address", "active", "create_date", "open_rentals"]
    inlines = [StreamingSubscriptionInline]
    list_per_page = 50
    # Meta.ordering again, explicitly: the autocomplete paginates this queryset.
    ordering = ["customer_id"]
    csv_columns = [
        ("customer_id", "customer_id"),
        ("first_name", "first_name"),
        ("last_name", "last_name"),
        ("email", "email"),
        ("phone", "address__phone"),
        ("store_id", "store_id"),
        # Pagila's customer.active = 1, as the API's "active" reads it.
        ("active", ExpressionWrapper(Q(active=1), output_field=BooleanField())),
        ("create_date", "create_date"),
        ("open_rentals", "open_rentals"),
    ]

    def get_queryset(self, request):
        return with_open_rentals(super().get_queryset(request))

    @admin.display(description="active", boolean=True, ordering="active")
    def is_active(self, customer):
        return customer.is_active

    @admin.display(description="open rentals", ordering="open_rentals")
    def open_rentals(self, customer):
        return customer.open_rentals


@admin.register(StreamingSubscription)
class StreamingSubscriptionAdmin(CheckedDateHierarchy, InScopeAdmin, ChangeHistoryAdmin, admin.ModelAdmin):
    list_display = ["id", "customer", "plan_name", "start_date", "end_date"]
    list_select_related = ["customer"]
    search_fields = ["plan_name", "customer__first_name", "customer__last_name", "customer__email"]
    autocomplete_fields = ["customer"]
    date_hierarchy = "start_date"


@admin.register(Staff)
class StaffAdmin(InScopeAdmin, admin.ModelAdmin):
    list_display = ["staff_id", "last_name", "first_name", "username", "email", "store_id", "active"]
    list_display_links = ["staff_id", "last_name"]
    list_filter = ["active", id_input_filter("store_id", "store id")]
    search_fields = ["first_name", "last_name", "username", "email"]
    raw_id_fields = ["store", "address"]
    list_per_page = 50


@admin.register(Store)
class StoreAdmin(InScopeAdmin, admin.ModelAdmin):
    list_display = ["store_id", "manager_staff_id", "address"]
    list_select_related = ["address"]
    search_fields = ["address__address", "address__district"]
    raw_id_fields = ["address"]
    list_per_page = 50


@admin.register(Address)
class AddressAdmin(InScopeAdmin, admin.ModelAdmin):
    list_display = ["address", "district", "city", "postal_code", "phone"]
    list_select_related = ["city"]
    search_fields = ["address", "district", "postal_code", "phone"]
    raw_id_fields = ["city"]


@admin.register(StaffAccount)
class StaffAccountAdmin(admin.ModelAdmin):
    """Which user is which staff member (``manage.py staff_account`` does the same from a shell)."""

    list_display = ["user", "staff", "staff_store"]
    list_select_related = ["user", "staff"]
    search_fields = ["user__username", "staff__first_name", "staff__last_name", "staff__username"]
    autocomplete_fields = ["user", "staff"]

    @admin.display(description="home store", ordering="staff__store_id")
    def staff_store(self, account):
        return account.staff.store_id
