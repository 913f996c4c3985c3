"""Circulation's API (staff only): rentals and payments (renting a copy to a customer, returning
it, paying), holds, transfers and a copy's condition.

Writes go through ``rentals.services``; this module only parses input, maps the services'
refusals to the contract's status codes, and reads the result back with its annotations.
"""

import contextlib
import functools
from types import SimpleNamespace

from django.db import models
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from customers.mixins import CustomerScopedMixin, InScopeMixin
from customers.models import Customer
from pagila_site.api.filters import INT_MAX, sends_filters
from pagila_site.api.idempotency import IdempotentPostMixin
from pagila_site.api.pagination import CountedCursorPagination, CursorPagination, OneQueryPagination
from pagila_site.api.schema import ErrorSerializer, error_responses
from pagila_site.compiled import CompiledQuery, Slot
from rentals.copies import copy_condition_set
from rentals.errors import CustomerBlocked, Forbidden, InvalidRental, RentalError
from rentals.filters import (
    CustomerHoldFilter,
    CustomerPaymentFilter,
    CustomerRentalFilter,
    HoldFilter,
    PaymentFilter,
    RentalFilter,
    TransferFilter,
)
from rentals.holds import hold_cancel, hold_place
from rentals.models import Hold, Inventory, Payment, Rental, Transfer, shown_holds, shown_rentals
from rentals.serializers import (
    CopyConditionSerializer,
    HoldCreateSerializer,
    HoldSerializer,
    InventorySerializer,
    PaymentCreateSerializer,
    PaymentSerializer,
    RentalCreateSerializer,
    RentalPaidSerializer,
    RentalReturnSerializer,
    RentalSerializer,
    ReturnedRentalPaidSerializer,
    ReturnedRentalSerializer,
    TransferCreateSerializer,
    TransferSerializer,
)
from rentals.services import payment_create, rental_create, rental_return
from rentals.transfers import transfer_cancel, transfer_receive, transfer_send


class Refused(exceptions.PermissionDenied):
    """403: the caller sees the object but may not do this to it."""


class Conflict(exceptions.APIException):
    """409: the request is valid but the rental's current state refuses it."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state."
    default_code = "conflict"


def api_error(exc: RentalError) -> exceptions.APIException:
    """The contract's answer to a service's refusal."""
    if isinstance(exc, InvalidRental):
        return exceptions.ValidationError({exc.field: [str(exc)]})
    if isinstance(exc, Forbidden):
        return Refused(detail=str(exc), code=exc.code)
    conflict = Conflict(detail=str(exc), code=exc.code)
    if isinstance(exc, CustomerBlocked):
        conflict.extra = {"reasons": exc.reasons}
    return conflict


@contextlib.contextmanager
def service_answers():
    """A service's refusals as the contract's answers: an unknown (or out-of-scope) customer or
    rental is 404, a rule's refusal 400 or 409 (:func:`api_error`)."""
    try:
        yield
    except (
        Customer.DoesNotExist,
        Rental.DoesNotExist,
        Hold.DoesNotExist,
        Transfer.DoesNotExist,
        Inventory.DoesNotExist,
    ) as exc:
        raise exceptions.NotFound() from exc
    except RentalError as exc:
        raise api_error(exc) from exc


def rentals_newest_first():
    """Rentals as the API shows them: due date, overdue flag, film and amounts, newest first."""
    return shown_rentals().order_by("-rental_date", "-rental_id")


def payments_newest_first():
    """Payments as the API shows them, newest first."""
    return Payment.objects.order_by("-payment_date", "-payment_id")


def _location(payment: Payment) -> dict[str, str]:
    return {"Location": reverse("payment-detail", kwargs={"payment_id": payment.payment_id})}


LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Path of the new payment, e.g. `/api/v1/payments/32099/`.",
    response=[201],
)


@extend_schema_view(
    list=extend_schema(
        summary="List rentals, newest first",
        responses={200: RentalSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="A rental", responses={200: RentalSerializer, **error_responses(401, 404)}
    ),
)
class RentalViewSet(IdempotentPostMixin, InScopeMixin, viewsets.ReadOnlyModelViewSet):
    queryset = rentals_newest_first()
    serializer_class = RentalSerializer
    filterset_class = RentalFilter
    pagination_class = CursorPagination
    lookup_url_kwarg = "rental_id"
    lookup_value_converter = "int"

    def count_queryset(self):
        """The list's rows to count: without a rental's film and amounts (CursorPagination)."""
        return self.filter_queryset(Rental.objects.in_scope(self.scope))

    def count_lower_bounds(self):
        """Parts of the list a bounded count may stop at (CursorPagination)."""
        return [self.filter_queryset(part) for part in Rental.objects.in_scope_parts(self.scope)]

    def _valid_body(self, serializer_class, rental_id: int):
        """The request body, validated; but an unknown rental, or one out of the caller's scope,
        is 404 whatever the body says, as a customer's is when renting. Only an invalid body pays
        for the extra lookup: for a valid one the service finds out itself."""
        serializer = serializer_class(data=self.request.data, context={"scope": self.scope})
        if not serializer.is_valid():
            if not Rental.objects.in_scope(self.scope).filter(pk=rental_id).exists():
                raise exceptions.NotFound()
            raise exceptions.ValidationError(serializer.errors)
        return serializer

    @extend_schema(
        summary="Return a rented copy",
        description="Sets return_date to the database's now() and answers the amount due, and the "
        'hold the copy was set aside for ("set_aside_for": the film\'s first waiting hold at the '
        "copy's store, or null). With "
        '"pay": true, staff_id takes the rest of what the rental owes in the same transaction, '
        'and the answer has "payment" (null when nothing was owed). A body is optional.',
        request=RentalReturnSerializer,
        responses={
            200: ReturnedRentalPaidSerializer,
            **error_responses(400, 401, 404),
            409: OpenApiResponse(ErrorSerializer, description="Already returned (code `already_returned`)."),
        },
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_rental(self, request, rental_id: int):
        serializer = self._valid_body(RentalReturnSerializer, rental_id)
        with service_answers():
            rental = rental_return(scope=self.scope, rental_id=rental_id, **serializer.validated_data)
        answer_serializer = (
            ReturnedRentalPaidSerializer if serializer.validated_data["pay"] else ReturnedRentalSerializer
        )
        return Response(answer_serializer(rental).data)

    @extend_schema(
        summary="Pay for a rental",
        description="payment_date is the database's now(); the customer is the rental's. Two "
        "simultaneous payments can never together exceed the rental's balance.",
        request=PaymentCreateSerializer,
        responses={
            201: PaymentSerializer,
            **error_responses(400, 401, 404),
            409: OpenApiResponse(
                ErrorSerializer, description="More than the rental's balance (code `overpayment`)."
            ),
        },
        parameters=[LOCATION],
    )
    @action(detail=True, methods=["post"], url_path="payments")
    def payments(self, request, rental_id: int):
        serializer = self._valid_body(PaymentCreateSerializer, rental_id)
        with service_answers():
            payment = payment_create(scope=self.scope, rental_id=rental_id, **serializer.validated_data)
        return Response(
            PaymentSerializer(payment).data, status=status.HTTP_201_CREATED, headers=_location(payment)
        )


@extend_schema_view(
    list=extend_schema(
        summary="A customer's rentals, newest first",
        responses={200: RentalSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    create=extend_schema(
        summary="Rent a copy to a customer",
        description="rental_date is the database's now(). A copy can be out on one open rental only. "
        "staff_id defaults to the caller's own staff member (a linked caller may name only itself; an "
        "unlinked superuser must name one). 400 covers missing or ill-typed fields, an unknown "
        "inventory_id or staff_id, inactive staff, and a copy not held by one of the caller's stores. "
        'With "pay": true, staff_id takes the rental rate in the same transaction and the answer '
        'has "payment".',
        request=RentalCreateSerializer,
        responses={
            201: RentalPaidSerializer,
            **error_responses(400, 401, 404),
            403: OpenApiResponse(
                ErrorSerializer,
                description="An override_reason from a caller without the override_block permission "
                "(code `override_not_allowed`).",
            ),
            409: OpenApiResponse(
                ErrorSerializer,
                description="The copy is out on an open rental (code `not_in_stock`), travelling "
                "between stores (`in_transit`), set aside for another customer's hold "
                "(`held_for_another`) or not in good condition (`copy_unavailable`); or the customer "
                "is inactive (`customer_inactive`) or blocked (`customer_blocked`, with `reasons`: "
                "`balance`, `overdue`). The copy's refusal comes first.",
            ),
        },
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Path of the new rental, e.g. `/api/v1/rentals/16050/`.",
                response=[201],
            )
        ],
    ),
)
class CustomerRentalViewSet(
    # As CustomerSubscriptionViewSet: the customer's 404 comes after the key's claim.
    CustomerScopedMixin,
    IdempotentPostMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    queryset = rentals_newest_first()
    serializer_class = RentalSerializer
    filterset_class = CustomerRentalFilter
    pagination_class = CountedCursorPagination
    # The list without filters, the usual request, as CustomerScopedMixin.get_queryset() and the
    # paginator make it, compiled once per process (pagila_site/compiled.py).
    unfiltered_pages = CompiledQuery(
        lambda: OneQueryPagination.counted(
            rentals_newest_first().filter(customer_id=Slot("customer_id", models.IntegerField()))
        )
    )

    customer_checked_by_service = ("create",)

    def count_queryset(self):
        """A cursor page's list to count: without a rental's film and amounts (CursorPagination)."""
        return self.filter_queryset(Rental.objects.filter(customer_id=self.customer_id))

    def paginate_queryset(self, queryset):
        request = self.request
        by_cursor = self.paginator.cursor_query_param in request.query_params
        if self.action != "list" or by_cursor or sends_filters(request, self):
            return super().paginate_queryset(queryset)
        if self.customer_id > INT_MAX:
            # No such customer; the ORM would not ask either, and PostgreSQL would compare every
            # row's customer_id as numeric to find out.
            return self.paginator.paginate_rows(queryset, lambda offset, limit: [], request)
        page = functools.partial(self.unfiltered_pages.page, customer_id=self.customer_id)
        return self.paginator.paginate_rows(queryset, page, request)

    def create(self, request, customer_id: int):
        serializer = RentalCreateSerializer(data=request.data, context={"scope": self.scope})
        if not serializer.is_valid():
            self.check_customer()  # an unknown customer is 404 whatever the body says
            raise exceptions.ValidationError(serializer.errors)
        data = serializer.validated_data
        # Asked only of an override: the permission check reads the user's groups.
        may_override = "override_reason" in data and request.user.has_perm("rentals.override_block")
        with service_answers():  # an unknown customer, or one out of scope: 404
            rental = rental_create(
                scope=self.scope, customer_id=customer_id, may_override=may_override, **data
            )
        location = reverse("rental-detail", kwargs={"rental_id": rental.pk})
        answer_serializer = RentalPaidSerializer if serializer.validated_data["pay"] else RentalSerializer
        return Response(
            answer_serializer(rental).data, status=status.HTTP_201_CREATED, headers={"Location": location}
        )


@extend_schema_view(
    list=extend_schema(
        summary="List payments, newest first",
        responses={200: PaymentSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="A payment", responses={200: PaymentSerializer, **error_responses(401, 404)}
    ),
)
class PaymentViewSet(InScopeMixin, viewsets.ReadOnlyModelViewSet):
    queryset = payments_newest_first()
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    pagination_class = CursorPagination
    # payment_id alone names a row: one sequence numbers every partition's payments.
    lookup_field = "payment_id"
    lookup_url_kwarg = "payment_id"
    lookup_value_converter = "int"

    def count_lower_bounds(self):
        """Parts of the list a bounded count may stop at (CursorPagination)."""
        return [self.filter_queryset(part) for part in Payment.objects.in_scope_parts(self.scope)]


@extend_schema_view(
    list=extend_schema(
        summary="A customer's payments, newest first",
        responses={200: PaymentSerializer(many=True), **error_responses(400, 401, 404)},
    ),
)
class CustomerPaymentViewSet(CustomerScopedMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = payments_newest_first()
    serializer_class = PaymentSerializer
    filterset_class = CustomerPaymentFilter
    pagination_class = CountedCursorPagination


def _hold_location(hold_id: int) -> dict[str, str]:
    return {"Location": reverse("hold-detail", kwargs={"hold_id": hold_id})}


def _conflicts(text: str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=text)


@extend_schema_view(
    list=extend_schema(
        summary="List holds, newest first",
        description="Holds at one of the caller's stores, or of a customer in scope.",
        responses={200: HoldSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(summary="A hold", responses={200: HoldSerializer, **error_responses(401, 404)}),
)
class HoldViewSet(IdempotentPostMixin, InScopeMixin, viewsets.ReadOnlyModelViewSet):
    queryset = shown_holds()
    serializer_class = HoldSerializer
    filterset_class = HoldFilter
    pagination_class = CursorPagination
    lookup_url_kwarg = "hold_id"
    lookup_value_converter = "int"

    def count_queryset(self):
        """The list's rows to count, without what a hold shows (CursorPagination)."""
        return self.filter_queryset(Hold.objects.in_scope(self.scope))

    @extend_schema(
        summary="Cancel a hold",
        description="A ready hold's copy goes at once to the film's next waiting hold at the store, or "
        "back on the shelf. No body.",
        request=None,
        responses={
            200: HoldSerializer,
            **error_responses(401, 404),
            409: _conflicts("The hold is fulfilled, cancelled or expired (code `hold_closed`)."),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, hold_id: int):
        with service_answers():
            hold_cancel(scope=self.scope, hold_id=hold_id)
        return Response(HoldSerializer(shown_holds().get(pk=hold_id)).data)


@extend_schema_view(
    list=extend_schema(
        summary="A customer's holds, newest first",
        responses={200: HoldSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    create=extend_schema(
        summary="Place a hold on a film",
        description="The customer asks for the film at one of the caller's stores. With a copy on that "
        "store's shelf (not rented, set aside or travelling) the hold is ready at once with it; "
        "otherwise it waits its turn. Blocked customers may hold.",
        request=HoldCreateSerializer,
        responses={
            201: HoldSerializer,
            **error_responses(400, 401, 404),
            409: _conflicts(
                "The customer is inactive (code `customer_inactive`) or already has a waiting or ready "
                "hold for the film (`already_holding`)."
            ),
        },
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Path of the new hold, e.g. `/api/v1/holds/12/`.",
                response=[201],
            )
        ],
    ),
)
class CustomerHoldViewSet(
    CustomerScopedMixin, IdempotentPostMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    queryset = shown_holds()
    serializer_class = HoldSerializer
    filterset_class = CustomerHoldFilter
    pagination_class = CountedCursorPagination
    customer_checked_by_service = ("create",)

    def create(self, request, customer_id: int):
        serializer = HoldCreateSerializer(data=request.data)
        if not serializer.is_valid():
            self.check_customer()  # an unknown customer is 404 whatever the body says
            raise exceptions.ValidationError(serializer.errors)
        with service_answers():
            hold = hold_place(scope=self.scope, customer_id=customer_id, **serializer.validated_data)
        return Response(
            HoldSerializer(shown_holds().get(pk=hold.pk)).data,
            status=status.HTTP_201_CREATED,
            headers=_hold_location(hold.pk),
        )


def _transfer(transfer_id: int) -> dict:
    return TransferSerializer(Transfer.objects.get(pk=transfer_id)).data


@extend_schema_view(
    list=extend_schema(
        summary="List transfers, newest first",
        description="Transfers from or to one of the caller's stores.",
        responses={200: TransferSerializer(many=True), **error_responses(400, 401, 404)},
    ),
    retrieve=extend_schema(
        summary="A transfer", responses={200: TransferSerializer, **error_responses(401, 404)}
    ),
    create=extend_schema(
        summary="Send a copy to another store",
        description="The copy must be on the shelf of one of the caller's stores. While in transit it "
        "can't be rented (409 `in_transit`) and is in stock nowhere.",
        request=TransferCreateSerializer,
        responses={
            201: TransferSerializer,
            **error_responses(400, 401),
            409: _conflicts(
                "The copy is out on a rental (code `not_in_stock`), set aside for a hold "
                "(`held_for_another`), already travelling (`in_transit`) or not in good condition "
                "(`copy_unavailable`)."
            ),
        },
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.STR,
                OpenApiParameter.HEADER,
                description="Path of the new transfer, e.g. `/api/v1/transfers/7/`.",
                response=[201],
            )
        ],
    ),
)
class TransferViewSet(IdempotentPostMixin, InScopeMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Transfer.objects.order_by("-sent_at", "-transfer_id")
    serializer_class = TransferSerializer
    filterset_class = TransferFilter
    pagination_class = CursorPagination
    lookup_url_kwarg = "transfer_id"
    lookup_value_converter = "int"

    def create(self, request):
        serializer = TransferCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with service_answers():
            transfer = transfer_send(scope=self.scope, **serializer.validated_data)
        location = reverse("transfer-detail", kwargs={"transfer_id": transfer.pk})
        return Response(
            _transfer(transfer.pk), status=status.HTTP_201_CREATED, headers={"Location": location}
        )

    @extend_schema(
        summary="Receive a transfer",
        description="By staff of the destination store (or a superuser): the copy is that store's from "
        "now on, and is set aside there for the film's first waiting hold if any. No body.",
        request=None,
        responses={
            200: TransferSerializer,
            **error_responses(401, 404),
            403: _conflicts("The caller works for the sending store only (code `not_destination`)."),
            409: _conflicts("The transfer was received or cancelled already (code `transfer_closed`)."),
        },
    )
    @action(detail=True, methods=["post"])
    def receive(self, request, transfer_id: int):
        with service_answers():
            transfer_receive(scope=self.scope, transfer_id=transfer_id)
        return Response(_transfer(transfer_id))

    @extend_schema(
        summary="Cancel a transfer",
        description="By staff of the sending store (or a superuser), while in transit: the copy stays "
        "where it was. No body.",
        request=None,
        responses={
            200: TransferSerializer,
            **error_responses(401, 404),
            403: _conflicts("The caller works for the destination only (code `not_sender`)."),
            409: _conflicts("The transfer was received or cancelled already (code `transfer_closed`)."),
        },
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, transfer_id: int):
        with service_answers():
            transfer_cancel(scope=self.scope, transfer_id=transfer_id)
        return Response(_transfer(transfer_id))


def _copy(queryset, inventory_id: int):
    copy = queryset.get(pk=inventory_id)
    # A hold past its expiry reads expired: it names no copy, though the worker may not have
    # passed this one on yet (the copy is still in stock for no one until it does).
    held = copy.held_for is not None and not copy.held_expired
    copy.set_aside_for = (
        SimpleNamespace(hold_id=copy.held_for, customer_id=copy.held_for_customer) if held else None
    )
    return copy


@extend_schema_view(
    retrieve=extend_schema(
        summary="A copy",
        description="Its condition and whether it is on its store's shelf. In scope: held by one of "
        "the caller's stores.",
        responses={200: InventorySerializer, **error_responses(401, 404)},
    ),
)
class InventoryViewSet(IdempotentPostMixin, InScopeMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Inventory.objects.with_shelf_state().with_in_stock()
    serializer_class = InventorySerializer
    lookup_url_kwarg = "inventory_id"
    lookup_value_converter = "int"

    def retrieve(self, request, inventory_id: int):
        with service_answers():
            return Response(InventorySerializer(_copy(self.get_queryset(), inventory_id)).data)

    @extend_schema(
        summary="Mark a copy's condition",
        description="Not `good` (damaged, lost, withdrawn): the copy can't be rented, set aside or sent "
        "(409 `copy_unavailable`); one set aside for a hold goes back to the queue, served by another "
        "copy on the shelf. `lost` on a copy out on a rental returns that rental now, owing the "
        "replacement cost. `good` puts it back on its shelf. The note is the change record's reason.",
        request=CopyConditionSerializer,
        responses={200: InventorySerializer, **error_responses(400, 401, 404)},
    )
    @action(detail=True, methods=["post"])
    def condition(self, request, inventory_id: int):
        serializer = CopyConditionSerializer(data=request.data)
        if not serializer.is_valid():
            get_object_or_404(self.get_queryset().only("pk"), pk=inventory_id)  # 404 whatever the body
            raise exceptions.ValidationError(serializer.errors)
        with service_answers():
            copy_condition_set(scope=self.scope, inventory_id=inventory_id, **serializer.validated_data)
        return Response(InventorySerializer(_copy(self.get_queryset(), inventory_id)).data)
