"""The receivables side of `adapters.erp.fake.FakeErp`: invoices' receivables, bank
statements clearing them and part payments, kept by the rules mock-sap keeps.

- An invoice opens a receivable for its gross (net plus tax at the rate, half up on
  the net total), due `net_days(terms)` after the billing date (at once for terms it
  cannot read, as mock-sap).
- A statement line clears the one set of the open invoices it names, in the
  statement's currency, that comes to exactly its amount (normally all of them): one
  clearing document per customer per statement. No such set, or several, and the line
  is refused with the reason; nothing of it is posted.
- The same statement again: a line one of whose invoices this statement already cleared
  is answered as cleared (from the record), without clearing anything; the other lines
  are tried again.
- A part payment is recorded on account; the invoice stays open for its whole amount.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from itertools import combinations

from adapters.erp.port import (
    BillingDocumentRef,
    BillingRequest,
    ClearedItem,
    ClearingRequest,
    ClearingResult,
    CreditMemoRef,
    CreditMemoRequest,
    PartPaymentRef,
    PartPaymentRequest,
    RefusedLine,
)
from adapters.erp.sap_checks import check_clearing, check_part_payment, invalid
from adapters.errors import RejectionError
from canonical.cash import Receivable
from canonical.money import round_money
from canonical.payment_terms import net_days

SYSTEM = "erp"
MOST_QUOTED = 16
"""A line naming more open invoices than this is not searched (as mock-sap)."""


@dataclass(frozen=True)
class Clearing:
    """What cleared one invoice."""

    statement_id: str
    clearing_document: str
    amount: Decimal


class FakeLedger:
    """Receivables, clearings and part payments in memory.

    Attributes:
        invoices: Billing document -> what `bill` answered for it.
        receivables: Every invoice's receivable, by billing document, as it was opened
            (open or not: see `cleared`).
        cleared: Billing document -> what cleared it.
        clearings: Every statement asked to be posted, in order, repeats included.
        part_payments: Every part payment posted, once each, in order.
        credits: Credit memo -> what `credit` answered for it.
    """

    def __init__(self, today: Callable[[], date], tax_rate: Decimal, default_terms: str) -> None:
        self.invoices: dict[str, BillingDocumentRef] = {}
        self.receivables: dict[str, Receivable] = {}
        self.cleared: dict[str, Clearing] = {}
        self.clearings: list[ClearingRequest] = []
        self.part_payments: list[PartPaymentRequest] = []
        self.credits: dict[str, CreditMemoRef] = {}
        self._today = today
        self._tax_rate = tax_rate
        self._default_terms = default_terms
        self._payment_by_key: dict[str, str] = {}
        self._next_document = 100_000_001

    def bill(
        self,
        billing_document: str,
        request: BillingRequest,
        customer_name: str,
        order_workflow_id: str,
    ) -> BillingDocumentRef:
        """Open the receivable of a new invoice; its reference."""
        net = sum((item.net_amount for item in request.items), Decimal(0))
        tax = round_money(net * self._tax_rate)
        terms = (request.payment_terms or self._default_terms).strip().upper()
        try:
            days = net_days(terms)
        except ValueError:
            days = 0
        accounting_document = self._number()
        self.receivables[billing_document] = Receivable(
            billing_document=billing_document,
            accounting_document=accounting_document,
            customer_id=request.customer_id,
            customer_name=customer_name,
            sales_order=request.sales_order,
            order_workflow_id=order_workflow_id,
            currency=request.currency,
            amount=net + tax,
            open_amount=net + tax,
            due_on=self._today() + timedelta(days=days),
        )
        ref = BillingDocumentRef(
            billing_document=billing_document,
            net_amount=net,
            tax_amount=tax,
            gross_amount=net + tax,
            accounting_document=accounting_document,
            payment_terms=terms,
        )
        self.invoices[billing_document] = ref
        return ref

    def open_receivables(self, customer_id: str | None) -> list[Receivable]:
        return [
            receivable
            for number, receivable in sorted(self.receivables.items())
            if number not in self.cleared
            and (customer_id is None or receivable.customer_id == customer_id)
        ]

    def clear(self, request: ClearingRequest) -> ClearingResult:
        """Post a statement; see the module for the rules."""
        documents = check_clearing(request)
        self.clearings.append(request)
        cleared: list[ClearedItem] = []
        refused: list[RefusedLine] = []
        settling: list[tuple[str, dict[str, str], list[Receivable]]] = []
        for line, numbers in zip(request.lines, documents, strict=True):
            spelled = dict(zip(numbers, line.billing_documents, strict=True))
            earlier = [
                (number, self.cleared[number])
                for number in numbers
                if number in self.cleared
                and self.cleared[number].statement_id == request.statement_id
            ]
            if earlier:
                cleared += [
                    ClearedItem(
                        line_id=line.line_id,
                        billing_document=spelled[number],
                        clearing_document=clearing.clearing_document,
                        amount=clearing.amount,
                    )
                    for number, clearing in earlier
                ]
                continue
            paid, reason = self._match(numbers, line.amount, request.currency)
            if paid:
                settling.append((line.line_id, spelled, paid))
            else:
                refused.append(RefusedLine(line_id=line.line_id, reason=reason))
        documents_by_customer: dict[str, str] = {}
        for line_id, spelled, paid in settling:
            for receivable in paid:
                document = documents_by_customer.get(receivable.customer_id) or self._number()
                documents_by_customer[receivable.customer_id] = document
                self.cleared[receivable.billing_document] = Clearing(
                    request.statement_id, document, receivable.amount
                )
                cleared.append(
                    ClearedItem(
                        line_id=line_id,
                        billing_document=spelled[receivable.billing_document],
                        clearing_document=document,
                        amount=receivable.amount,
                    )
                )
        order = {line.line_id: position for position, line in enumerate(request.lines)}
        return ClearingResult(
            cleared=sorted(cleared, key=lambda c: order[c.line_id]),
            refused=refused,
        )

    def _match(
        self, numbers: Sequence[str], amount: Decimal, currency: str
    ) -> tuple[list[Receivable], str]:
        """The one set of the open invoices named that comes to `amount`, or why none."""
        quoted = [
            self.receivables[n] for n in numbers if n in self.receivables and n not in self.cleared
        ]
        if not quoted:
            return [], "no open receivable quotes this line's reference"
        same = [r for r in quoted if r.currency.upper() == currency.upper()]
        if not same:
            return [], f"the invoices it names are not owed in {currency}"
        if len(same) > MOST_QUOTED:
            return [], f"the line names more than {MOST_QUOTED} open invoices"
        fits = [
            list(subset)
            for size in range(1, len(same) + 1)
            for subset in combinations(same, size)
            if sum((r.amount for r in subset), Decimal(0)) == amount
        ]
        if len(fits) == 1:
            return fits[0], ""
        owed = sum((r.amount for r in same), Decimal(0))
        if fits:
            return [], f"{amount} {currency} fits {len(fits)} sets of the invoices it names"
        return [], (
            f"the invoices it names come to {owed} {currency} but the line is for "
            f"{amount} {currency}: a part payment is not posted, so nothing is cleared"
        )

    def part_payment(self, request: PartPaymentRequest) -> PartPaymentRef:
        """Record a part payment on account, once per key."""
        number = check_part_payment(request)
        existing = self._payment_by_key.get(request.idempotency_key)
        if existing is not None:
            return PartPaymentRef(accounting_document=existing, created=False)
        invoice = self.check_invoice(number, request.customer_id, request.currency)
        if request.amount >= invoice.amount:
            raise invalid(
                f"{request.amount} {request.currency} is not short of billing document "
                f"{number} ({invoice.amount}): clear it instead"
            )
        document = self._number()
        self.part_payments.append(request)
        self._payment_by_key[request.idempotency_key] = document
        return PartPaymentRef(accounting_document=document)

    def check_invoice(self, number: str, customer_id: str, currency: str) -> Receivable:
        """The receivable of invoice `number`, once it is known to be billed to
        `customer_id` in `currency`; else `RejectionError(code="ERP_REJECTED")`."""
        invoice = self.receivables.get(number)
        if invoice is None:
            raise rejected(f"Billing document {number} does not exist")
        if invoice.customer_id != customer_id:
            raise rejected(
                f"Billing document {number} is billed to {invoice.customer_id}, not {customer_id}"
            )
        if invoice.currency.upper() != currency.upper():
            raise rejected(f"Billing document {number} is in {invoice.currency}")
        return invoice

    def credit(self, credit_memo: str, request: CreditMemoRequest) -> CreditMemoRef:
        """Post a credit memo's credit to the customer: the items less the fee, taxed
        at the invoices' rate. It is no receivable: `open_receivables` does not list
        it, and it reduces no invoice (as mock-sap's open items)."""
        net = sum((item.net_amount for item in request.items), Decimal(0)) - request.fee
        tax = round_money(net * self._tax_rate)
        ref = CreditMemoRef(
            credit_memo=credit_memo,
            net_amount=net,
            tax_amount=tax,
            gross_amount=net + tax,
            accounting_document=self._number(),
        )
        self.credits[credit_memo] = ref
        return ref

    def _number(self) -> str:
        number = f"{self._next_document:010d}"
        self._next_document += 1
        return number


def rejected(message: str) -> RejectionError:
    """The fake's refusal of something SAP would refuse."""
    return RejectionError(message, code="ERP_REJECTED", system=SYSTEM)
