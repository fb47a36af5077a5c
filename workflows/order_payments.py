"""What an order's invoices are owed and paid, and when it is overdue: pure and
deterministic, kept beside `OrderState` (whose view it writes) so the workflow only
decides when to wait.

An invoice is due `due_on` (billing date plus the customer's terms). The day after,
unpaid, the order records `PAYMENT_OVERDUE` and a first `DUNNING_NOTICE`; further
notices follow every `dunning_interval`, up to `max_dunning_level`.
"""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from canonical.invoices import CREDIT_MEMO_RULE, Invoice, InvoiceState, Payment
from canonical.payment_terms import DEFAULT_PAYMENT_TERMS, due_date
from canonical.statuses import OrderStatus
from workflows.order_state import OrderState


class OrderPayments:
    """Applies payments to the order's invoices and says when to remind.

    Args:
        state: The order's state; its view's invoices and payments are updated here.
        dunning_interval: Time between dunning notices.
        max_dunning_level: The last notice; after it the order waits quietly.
    """

    def __init__(
        self,
        state: OrderState,
        dunning_interval: timedelta = timedelta(days=14),
        max_dunning_level: int = 3,
    ) -> None:
        self._state = state
        self._interval = dunning_interval
        self._max_level = max_dunning_level
        self._applied: set[tuple[str, str]] = set()
        # Per invoice: the dunning level reached and when.
        self._dunned: dict[str, tuple[int, datetime]] = {}

    def stamp(self, now: datetime, invoice: Invoice) -> Invoice:
        """The invoice with its billing and due dates, counted from `now`."""
        billed_on = invoice.billed_on or now.date()
        terms = invoice.payment_terms or DEFAULT_PAYMENT_TERMS
        try:
            due_on = due_date(billed_on, terms)
        except ValueError:
            # Terms the ERP knows and Ordermesh does not read (a discount key, say):
            # remind on the default terms rather than never.
            due_on = due_date(billed_on, DEFAULT_PAYMENT_TERMS)
        return invoice.model_copy(update={"billed_on": billed_on, "due_on": due_on})

    def apply(self, now: datetime, payment: Payment) -> bool:
        """Apply a payment to its invoice; False if it was applied before or names an
        invoice this order does not have."""
        key = (payment.payment_id, payment.billing_document)
        view = self._state.view
        index = next(
            (i for i, inv in enumerate(view.invoices) if inv.billing_document == key[1]), None
        )
        if key in self._applied or index is None:
            return False
        self._applied.add(key)
        invoice = view.invoices[index]
        paid = invoice.paid + payment.amount.amount
        settled = payment.open_after == 0 or paid >= invoice.amount_due.amount
        view.invoices[index] = invoice.model_copy(
            update={
                "paid": paid,
                "state": InvoiceState.PAID if settled else InvoiceState.PARTLY_PAID,
                "short_reason": "" if settled else payment.short_reason or invoice.short_reason,
            }
        )
        view.payments.append(payment)
        if payment.rule == CREDIT_MEMO_RULE:
            self._state.record(
                now,
                "CREDIT_APPLIED",
                "erp",
                f"{payment.amount.amount} {payment.amount.currency} for"
                f" {payment.billing_document}: {payment.short_reason};"
                f" {max(payment.open_after, Decimal(0))} still open",
            )
            self._paid_in_full(now)
            return True
        detail = (
            f"{payment.amount.amount} {payment.amount.currency} for {payment.billing_document}"
            f" ({payment.rule or 'applied'}, bank entry {payment.payment_id})"
        )
        if settled:
            self._state.record(now, "PAYMENT_RECEIVED", "bank", f"{detail}; invoice cleared")
        else:
            self._state.record(
                now,
                "SHORT_PAYMENT",
                "bank",
                f"{detail}; {payment.open_after} still open: {payment.short_reason}",
            )
        self._paid_in_full(now)
        return True

    def _paid_in_full(self, now: datetime) -> None:
        if self.all_paid():
            self._state.advance(now, OrderStatus.PAID, "bank")

    def all_paid(self) -> bool:
        invoices = self._state.view.invoices
        return bool(invoices) and all(i.state is InvoiceState.PAID for i in invoices)

    def open_amount(self) -> Decimal:
        return sum((i.open_amount for i in self._state.view.invoices), Decimal(0))

    def next_reminder(self) -> datetime | None:
        """When an unpaid invoice next needs a reminder; None when none will."""
        moments = [
            moment
            for invoice in self._open_invoices()
            if (moment := self._reminder_for(invoice)) is not None
        ]
        return min(moments, default=None)

    def remind(self, now: datetime) -> None:
        """Record overdue invoices and the dunning notice each is due now."""
        for invoice in self._open_invoices():
            moment = self._reminder_for(invoice)
            if moment is None or moment > now:
                continue
            level = self._dunned.get(invoice.billing_document, (0, now))[0] + 1
            self._dunned[invoice.billing_document] = (level, now)
            owed = f"{invoice.open_amount} {invoice.amount_due.currency}"
            if level == 1:
                self._state.record(
                    now,
                    "PAYMENT_OVERDUE",
                    "ordermesh",
                    f"{invoice.billing_document} was due {invoice.due_on}; {owed} unpaid",
                )
            self._state.record(
                now,
                "DUNNING_NOTICE",
                "ordermesh",
                f"level {level} for {invoice.billing_document}: {owed}",
            )

    def _open_invoices(self) -> list[Invoice]:
        return [i for i in self._state.view.invoices if i.state is not InvoiceState.PAID]

    def _reminder_for(self, invoice: Invoice) -> datetime | None:
        dunned = self._dunned.get(invoice.billing_document)
        if dunned is None:
            if invoice.due_on is None:
                return None
            return _start_of(invoice.due_on + timedelta(days=1))
        level, at = dunned
        return None if level >= self._max_level else at + self._interval


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)
