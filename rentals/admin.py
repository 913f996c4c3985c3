"""Rentals, inventory and payments in the back office.

Renting and returning go through ``rentals.services`` exactly as the API does, so the
one-open-rental-per-copy rule and its row lock hold here too; a refusal is a form error.
"""

from django import forms
from django.contrib import admin, messages

from customers.scope import scope_of
from pagila_site.backoffice.admin_filters import CheckedDateHierarchy, IdOrCustomerSearch, id_input_filter
from pagila_site.backoffice.change_history import ChangeHistoryAdmin
from pagila_site.backoffice.changelists import BigListAdmin, ReadOnlyAdmin
from pagila_site.backoffice.csv_export import CsvExportMixin
from pagila_site.backoffice.scoping import CustomerShownAdmin, InScopeAdmin
from rentals.errors import InvalidRental, RentalError
from rentals.models import Inventory, PaymentLedgerEntry, Rental
from rentals.services import rental_create, rental_return


class RentalStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("returned", "Returned"), ("overdue", "Overdue")]

    def queryset(self, request, queryset):
        match self.value():
            case "open":
                return queryset.open()
            case "returned":
                return queryset.returned()
            case "overdue":
                return queryset.overdue()
        return queryset


class RentalCreateForm(forms.ModelForm):
    """Rents through ``rental_create`` while validating, so its refusals become form errors."""

    class Meta:
        model = Rental
        fields = ["customer", "inventory", "staff"]

    _FIELDS = {"inventory_id": "inventory", "staff_id": "staff", "customer_id": "customer"}
    #: The signed-in user's scope, set by ``RentalAdmin.get_form`` on the class it builds.
    scope = None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = rental_create(
                scope=self.scope,
                customer_id=cleaned["customer"].pk,
                inventory_id=cleaned["inventory"].pk,
                staff_id=cleaned["staff"].pk,
            )
        except InvalidRental as exc:
            self.add_error(self._FIELDS.get(exc.field), str(exc))
        except RentalError as exc:
            field = "inventory" if exc.copy_refusal else "customer"
            self.add_error(field, str(exc))
        return cleaned


@admin.register(Rental)
class RentalAdmin(
    BigListAdmin,
    CheckedDateHierarchy,
    IdOrCustomerSearch,
    CsvExportMixin,
    CustomerShownAdmin,
    InScopeAdmin,
    ChangeHistoryAdmin,
    admin.ModelAdmin,
):
    list_display = [
        "rental_id",
        "film_title",
        "customer_shown",
        "staff",
        "rental_date",
        "due_date",
        "return_date",
        "is_overdue",
    ]
    list_display_links = ["rental_id", "film_title"]
    list_select_related = ["staff"]
    list_filter = [
        RentalStatusFilter,
        id_input_filter("customer_id", "customer id"),
        id_input_filter("inventory_id", "inventory id"),
    ]
    date_hierarchy = "rental_date"
    search_fields = ["=rental_id", "customer__last_name", "customer__email"]
    autocomplete_fields = ["customer", "staff"]
    raw_id_fields = ["inventory"]
    # What an index orders by: rental_newest_first, rental_customer_newest_first, the primary key.
    sortable_by = ["rental_id", "customer_shown", "rental_date"]
    list_per_page = 50
    actions = ["mark_returned"]
    csv_columns = [
        ("rental_id", "rental_id"),
        ("rental_date", "rental_date"),
        ("due_date", "due_date"),
        ("return_date", "return_date"),
        ("overdue", "overdue"),
        ("customer_id", "customer_id"),
        ("customer_first_name", "customer_first_name_shown"),
        ("customer_last_name", "customer_last_name_shown"),
        ("inventory_id", "inventory_id"),
        ("store_id", "inventory__store_id"),
        ("film_id", "film_id"),
        ("film_title", "film_title"),
        ("staff_id", "staff_id"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_due_date().with_film()

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = RentalCreateForm
        form = super().get_form(request, obj, **kwargs)
        # modelform_factory made this class for this request alone.
        form.scope = scope_of(request.user)
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["customer", "inventory", "staff"]
        return [
            "rental_id",
            "customer_shown",
            "inventory",
            "film_title",
            "staff",
            "rental_date",
            "due_date",
            "return_date",
            "is_overdue",
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        # History is not rewritten here: a rental is created, then returned (action or API).
        return self.get_fields(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            return  # RentalCreateForm already rented through the service
        super().save_model(request, obj, form, change)

    @admin.display(description="film", ordering="film_title")
    def film_title(self, rental):
        return rental.film_title

    @admin.display(description="due", ordering="due_date")
    def due_date(self, rental):
        return rental.due_date

    @admin.display(description="overdue", boolean=True, ordering="overdue")
    def is_overdue(self, rental):
        return rental.overdue

    @admin.action(description="Mark selected rentals returned", permissions=["change"])
    def mark_returned(self, request, queryset):
        # Only the open ones go through the service: "all that match" may be the whole history,
        # whose returned rentals are counted, not returned again one by one.
        returned, skipped = 0, queryset.returned().count()
        for rental_id in queryset.open().values_list("pk", flat=True):
            try:
                rental_return(scope=scope_of(request.user), rental_id=rental_id)
            except RentalError:
                skipped += 1
            else:
                returned += 1
        if returned:
            self.message_user(request, f"Returned {returned} rental(s).", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} rental(s) were already returned.", messages.WARNING)


class InStockFilter(admin.SimpleListFilter):
    title = "in stock"
    parameter_name = "in_stock"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No (out on rental)")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(in_stock=self.value() == "yes")
        return queryset


@admin.register(Inventory)
class InventoryAdmin(BigListAdmin, CsvExportMixin, InScopeAdmin, ChangeHistoryAdmin, admin.ModelAdmin):
    list_display = ["inventory_id", "film", "store_id", "in_stock"]
    list_select_related = ["film"]
    list_filter = [
        InStockFilter,
        id_input_filter("store_id", "store id"),
        id_input_filter("film_id", "film id"),
    ]
    search_fields = ["film__title", "=inventory_id"]
    raw_id_fields = ["film", "store"]
    list_per_page = 50
    csv_columns = [
        ("inventory_id", "inventory_id"),
        ("film_id", "film_id"),
        ("film_title", "film__title"),
        ("store_id", "store_id"),
        ("in_stock", "in_stock"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_in_stock()

    @admin.display(description="in stock", boolean=True, ordering="in_stock")
    def in_stock(self, copy):
        return copy.in_stock


@admin.register(PaymentLedgerEntry)
class PaymentAdmin(
    ReadOnlyAdmin,
    BigListAdmin,
    CheckedDateHierarchy,
    IdOrCustomerSearch,
    CsvExportMixin,
    CustomerShownAdmin,
    InScopeAdmin,
    ChangeHistoryAdmin,
    admin.ModelAdmin,
):
    """Read-only: payments are Pagila's ledger, partitioned by month (today's in its DEFAULT
    partition). Taking a payment goes through ``rentals.services.payment_create``."""

    list_display = ["payment_id", "payment_date", "customer_shown", "staff", "rental_id", "amount"]
    fields = ["payment_id", "payment_date", "amount", "customer_shown", "rental_id", "staff"]
    readonly_fields = fields
    list_select_related = ["staff"]
    list_filter = [id_input_filter("customer_id", "customer id"), id_input_filter("rental_id", "rental id")]
    search_fields = ["=payment_id", "customer__last_name", "customer__email"]
    date_hierarchy = "payment_date"
    # What an index orders by: the partitions' (payment_date, payment_id) keys, payment's
    # customer_id and rental_id indexes. Not payment_id, which no index leads, nor staff, whose
    # index holds each staff member's hundreds of thousands of payments unordered.
    sortable_by = ["payment_date", "customer_shown", "rental_id"]
    list_per_page = 50
    csv_columns = [
        ("payment_id", "payment_id"),
        ("payment_date", "payment_date"),
        ("amount", "amount"),
        ("customer_id", "customer_id"),
        ("customer_first_name", "customer_first_name_shown"),
        ("customer_last_name", "customer_last_name_shown"),
        ("rental_id", "rental_id"),
        ("staff_id", "staff_id"),
    ]
