"""Rentals, inventory, payments, holds and transfers in the back office.

Renting and returning go through ``rentals.services`` exactly as the API does, so the
one-open-rental-per-copy rule and its row lock hold here too; a refusal is a form error. Holds
and transfers are listed only: they are placed, cancelled, sent and received at the counter or
through the API (``rentals.holds``, ``rentals.transfers``), under their shelf locks.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import F, Q
from django.template.response import TemplateResponse

from customers.scope import scope_of
from pagila_site.backoffice.admin_filters import (
    CheckedDateHierarchy,
    IdInputFilter,
    IdOrCustomerSearch,
    id_input_filter,
    is_pagila_id,
)
from pagila_site.backoffice.change_history import ChangeHistoryAdmin
from pagila_site.backoffice.changelists import BigListAdmin, ReadOnlyAdmin
from pagila_site.backoffice.csv_export import CsvExportMixin
from pagila_site.backoffice.scoping import CustomerShownAdmin, InScopeAdmin
from rentals.copies import copy_condition_set
from rentals.errors import InvalidRental, RentalError
from rentals.models import Hold, Inventory, PaymentLedgerEntry, Rental, Transfer
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
        return [("yes", "Yes"), ("no", "No (out, set aside, travelling or not good)")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(in_stock=self.value() == "yes")
        return queryset


class MarkConditionForm(forms.Form):
    """The "Mark condition…" action's second step: the condition and the change record's note."""

    condition = forms.ChoiceField(choices=Inventory.Condition.choices, initial=Inventory.Condition.DAMAGED)
    note = forms.CharField(max_length=500, widget=forms.TextInput(attrs={"size": 60}))


#: Copies one "Mark condition…" marks at most: each goes through the service, under its shelf's
#: lock; a whole store's stock belongs to a script, not a form.
MARK_AT_MOST = 100


@admin.register(Inventory)
class InventoryAdmin(BigListAdmin, CsvExportMixin, InScopeAdmin, ChangeHistoryAdmin, admin.ModelAdmin):
    list_display = ["inventory_id", "film", "store_id", "condition", "in_stock"]
    list_select_related = ["film"]
    # A copy's condition changes through rentals.copies alone, with a note for the change record,
    # which also puts a hold back in its queue and returns a lost copy's rental: the counter's
    # form and the API mark it, never a bare UPDATE from this form.
    readonly_fields = ["condition"]
    list_filter = [
        InStockFilter,
        "condition",
        id_input_filter("store_id", "store id"),
        id_input_filter("film_id", "film id"),
    ]
    search_fields = ["film__title", "=inventory_id"]
    raw_id_fields = ["film", "store"]
    list_per_page = 50
    actions = ["mark_condition"]
    csv_columns = [
        ("inventory_id", "inventory_id"),
        ("film_id", "film_id"),
        ("film_title", "film__title"),
        ("store_id", "store_id"),
        ("condition", "condition"),
        ("in_stock", "in_stock"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_in_stock()

    @admin.display(description="in stock", boolean=True, ordering="in_stock")
    def in_stock(self, copy):
        return copy.in_stock

    def has_set_condition_permission(self, request) -> bool:
        return request.user.has_perm("rentals.set_copy_condition")

    @admin.action(description="Mark condition…", permissions=["set_condition"])
    def mark_condition(self, request, queryset):
        """First the form asking for the condition and a note (the selected copies carried along),
        then each copy through ``copy_condition_set``, as the counter and the API mark one."""
        copy_ids = list(queryset.order_by("inventory_id").values_list("pk", flat=True)[: MARK_AT_MOST + 1])
        if len(copy_ids) > MARK_AT_MOST:
            self.message_user(request, f"Mark at most {MARK_AT_MOST} copies at a time.", messages.ERROR)
            return None
        form = MarkConditionForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/rentals/inventory/mark_condition.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Mark the condition of copies",
                    "opts": self.model._meta,
                    "form": form,
                    "copy_ids": copy_ids,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        scope = scope_of(request.user)
        condition, note = form.cleaned_data["condition"], form.cleaned_data["note"]
        marked, refused = [], []
        for copy_id in copy_ids:
            try:
                copy_condition_set(scope=scope, inventory_id=copy_id, condition=condition, note=note)
            except (RentalError, Inventory.DoesNotExist) as exc:
                refused.append(f"copy {copy_id}: {exc}")
            else:
                marked.append(copy_id)
        if marked:
            said = f"Marked {condition}: {', '.join(map(str, marked))}."
            if condition == Inventory.Condition.LOST:
                said += " Any of them out on a rental was returned, owing its replacement cost."
            self.message_user(request, said, messages.SUCCESS)
        for said in refused:
            self.message_user(request, said, messages.ERROR)
        return None


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


class HoldStatusFilter(admin.SimpleListFilter):
    """A hold's status as the API shows it: a ready hold past ``expires_at`` is ``expired``."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Hold.Status.choices

    def queryset(self, request, queryset):
        if self.value() in Hold.Status.values:
            return queryset.with_status(self.value())
        return queryset  # an unknown value is ignored, as the other filters do


@admin.register(Hold)
class HoldAdmin(
    ReadOnlyAdmin,
    BigListAdmin,
    CsvExportMixin,
    CustomerShownAdmin,
    InScopeAdmin,
    ChangeHistoryAdmin,
    admin.ModelAdmin,
):
    """Read-only: a hold is placed, cancelled or set aside by ``rentals.holds`` (the counter, the
    API, the hold worker), which take the shelf's lock an edit here would skip."""

    list_display = [
        "hold_id",
        "created",
        "customer_shown",
        "film_title",
        "store_id",
        "shown_status",
        "position",
        "shown_inventory_id",
        "expires_at",
    ]
    fields = [
        "hold_id",
        "customer_shown",
        "film_title",
        "store_id",
        "shown_status",
        "position",
        "shown_inventory_id",
        "created",
        "ready_at",
        "expires_at",
        "closed_at",
        "rental_id",
    ]
    readonly_fields = fields
    list_filter = [
        HoldStatusFilter,
        id_input_filter("store_id", "store id"),
        id_input_filter("customer_id", "customer id"),
        id_input_filter("film_id", "film id"),
    ]
    search_fields = ["=hold_id"]
    # What an index orders by: hold_newest_first, the primary key.
    sortable_by = ["hold_id", "created"]
    list_per_page = 50
    csv_columns = [
        ("hold_id", "hold_id"),
        ("created", "created"),
        ("status", "shown_status"),
        ("position", "position"),
        ("customer_id", "customer_id"),
        ("customer_first_name", "customer_first_name_shown"),
        ("customer_last_name", "customer_last_name_shown"),
        ("film_id", "film_id"),
        ("film_title", "film_title"),
        ("store_id", "store_id"),
        ("inventory_id", "shown_inventory_id"),
        ("ready_at", "ready_at"),
        ("expires_at", "expires_at"),
        ("closed_at", "closed_at"),
        ("rental_id", "rental_id"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_shown_status().annotate(film_title=F("film__title"))

    @admin.display(description="film")
    def film_title(self, hold):
        return hold.film_title

    @admin.display(description="status")
    def shown_status(self, hold):
        return hold.shown_status

    @admin.display(description="position")
    def position(self, hold):
        return hold.position

    @admin.display(description="copy")
    def shown_inventory_id(self, hold):
        return hold.shown_inventory_id


class TransferStoreFilter(IdInputFilter):
    """A store's transfers, sent from it or to it."""

    title = "store id (from or to)"
    parameter_name = "store_id"

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        if not is_pagila_id(value):
            return queryset.none()
        return queryset.filter(Q(from_store_id=int(value)) | Q(to_store_id=int(value)))


@admin.register(Transfer)
class TransferAdmin(
    ReadOnlyAdmin,
    BigListAdmin,
    CsvExportMixin,
    InScopeAdmin,
    ChangeHistoryAdmin,
    admin.ModelAdmin,
):
    """Read-only: a copy is sent, received or called back by ``rentals.transfers`` (the counter,
    the API), which moves the copy and serves the holds waiting for it."""

    list_display = [
        "transfer_id",
        "sent_at",
        "inventory_id",
        "film_title",
        "from_store_id",
        "to_store_id",
        "status",
        "sent_by_id",
        "received_at",
        "received_by_id",
    ]
    fields = [
        "transfer_id",
        "inventory_id",
        "film_title",
        "from_store_id",
        "to_store_id",
        "status",
        "sent_at",
        "sent_by_id",
        "received_at",
        "received_by_id",
        "cancelled_at",
    ]
    readonly_fields = fields
    list_filter = [
        "status",
        TransferStoreFilter,
        id_input_filter("inventory_id", "inventory id"),
    ]
    search_fields = ["=transfer_id"]
    # What an index orders by: transfer_newest_first, the primary key.
    sortable_by = ["transfer_id", "sent_at"]
    list_per_page = 50
    csv_columns = [
        ("transfer_id", "transfer_id"),
        ("sent_at", "sent_at"),
        ("status", "status"),
        ("inventory_id", "inventory_id"),
        ("film_id", "inventory__film_id"),
        ("film_title", "film_title"),
        ("from_store_id", "from_store_id"),
        ("to_store_id", "to_store_id"),
        ("sent_by", "sent_by_id"),
        ("received_at", "received_at"),
        ("received_by", "received_by_id"),
        ("cancelled_at", "cancelled_at"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(film_title=F("inventory__film__title"))

    @admin.display(description="film")
    def film_title(self, transfer):
        return transfer.film_title
