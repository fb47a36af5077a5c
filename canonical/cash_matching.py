"""Cash matching: deciding which invoices each bank credit pays. Pure, no I/O.

`match_credits` decides a batch of credits in order. What an earlier credit applied
lowers the open amount later credits see, so two credits never settle the same money:
a later credit naming an invoice already settled is left unapplied, saying so.

For each credit the first rule that identifies invoices wins:

1. REFERENCE: invoice numbers in the structured reference.
2. REMITTANCE: invoice numbers in the remittance lines, read as the bank cut them
   (see `canonical.invoice_numbers` for how numbers are found in text).
3. PAYER_AMOUNT: no invoice named. The payer is recognised by account (through
   `payer_accounts`) or else by name, and if exactly one of that customer's open
   invoices in the credit's currency is open for exactly the credit's amount, it is
   paid. Several such invoices are ambiguous and none is a miss: both are left to a
   person, with the invoices it may have been for as candidates.
4. Otherwise the credit stays unapplied: it names no invoice and the payer is unknown.

`apply_credit` spreads one credit over given invoices, in the order given (the order
the payer wrote them, or the order a person chose): invoices in another currency or
with nothing open are skipped and said so; the rest are settled in full in turn until
the money runs out, the last one part-paid with the payer's note kept as the reason
for the short payment; money left over is an overpayment kept as unapplied cash.
"""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType

from canonical.cash import BankCredit, CashApplication, CashDecision, MatchRule, Receivable
from canonical.invoice_numbers import InvoiceNumberIndex
from canonical.money import round_money

NO_REASON_GIVEN = "short payment, no reason given"
_NO_ACCOUNTS: Mapping[str, str] = MappingProxyType({})
_ZERO = Decimal("0.00")


def match_credits(
    credits: Sequence[BankCredit],
    receivables: Sequence[Receivable],
    payer_accounts: Mapping[str, str] = _NO_ACCOUNTS,
) -> list[CashDecision]:
    """Decide every credit, in order, against the receivables.

    Args:
        credits: The credits to decide, in the order they should take money.
        receivables: The invoices as the ERP holds them before this batch.
        payer_accounts: Payer IBAN or account id to customer id, for payers who name
            no invoice; spaces and letter case in the accounts do not matter.

    Returns:
        One decision per credit, in the same order.
    """
    ledger = _Ledger(receivables)
    index = InvoiceNumberIndex(ledger.documents())
    accounts = {_account_key(account): customer for account, customer in payer_accounts.items()}
    decisions: list[CashDecision] = []
    for credit in credits:
        decision = _decide(credit, ledger, index, accounts)
        ledger.record(decision)
        decisions.append(decision)
    return decisions


def apply_credit(
    credit: BankCredit, invoices: Sequence[Receivable], rule: MatchRule
) -> CashDecision:
    """Spread one credit over `invoices`, in the order given, as `rule` decided."""
    return _spread(credit, invoices, rule, {})


class _Ledger:
    """Open amounts as the batch goes, and which credit settled what."""

    def __init__(self, receivables: Sequence[Receivable]) -> None:
        self._receivables: dict[str, Receivable] = {}
        for receivable in receivables:
            # The ERP has one invoice per number; a repeat is the same invoice again.
            self._receivables.setdefault(receivable.billing_document, receivable)
        self._open = {doc: r.open_amount for doc, r in self._receivables.items()}
        self._settled_by: dict[str, str] = {}

    def documents(self) -> list[str]:
        return list(self._receivables)

    def current(self, document: str) -> Receivable:
        """The invoice with what it owes now, after the credits decided before."""
        return self._receivables[document].model_copy(update={"open_amount": self._open[document]})

    def customer_names(self) -> dict[str, set[str]]:
        """Normalised customer name to the customer ids that carry it."""
        names: dict[str, set[str]] = {}
        for receivable in self._receivables.values():
            key = _name_key(receivable.customer_name)
            if key:
                names.setdefault(key, set()).add(receivable.customer_id)
        return names

    def open_of(self, customer_id: str) -> list[Receivable]:
        return [
            self.current(doc)
            for doc, receivable in self._receivables.items()
            if receivable.customer_id == customer_id and self._open[doc] > 0
        ]

    def closed_notes(self) -> dict[str, str]:
        """Why each invoice with nothing open is so, for the reason of a later credit."""
        notes: dict[str, str] = {}
        for doc, open_amount in self._open.items():
            if doc in self._settled_by:
                notes[doc] = f"{doc} already settled by credit {self._settled_by[doc]}"
            elif open_amount <= 0:
                notes[doc] = f"{doc} is not open (already settled before this batch)"
        return notes

    def record(self, decision: CashDecision) -> None:
        for application in decision.applications:
            self._open[application.billing_document] = application.open_after
            if application.settles:
                self._settled_by[application.billing_document] = application.entry_id


def _decide(
    credit: BankCredit, ledger: _Ledger, index: InvoiceNumberIndex, accounts: Mapping[str, str]
) -> CashDecision:
    named = index.in_reference(credit.structured_reference)
    rule = MatchRule.REFERENCE
    if not named:
        named = index.in_lines(credit.remittance_lines)
        rule = MatchRule.REMITTANCE
    if named:
        # The payer said which invoices; guessing others instead would hide the problem.
        invoices = [ledger.current(doc) for doc in named]
        return _spread(credit, invoices, rule, ledger.closed_notes())
    return _by_payer_and_amount(credit, ledger, accounts)


def _by_payer_and_amount(
    credit: BankCredit, ledger: _Ledger, accounts: Mapping[str, str]
) -> CashDecision:
    customer, unknown_why = _identify_payer(credit, ledger, accounts)
    amount = round_money(credit.amount)
    if customer is None:
        return _unapplied(credit, f"names no invoice and {unknown_why}", [])
    open_invoices = ledger.open_of(customer)
    exact = [
        invoice
        for invoice in open_invoices
        if invoice.currency == credit.currency and round_money(invoice.open_amount) == amount
    ]
    if len(exact) == 1:
        return _spread(credit, exact, MatchRule.PAYER_AMOUNT, {})
    money = f"{amount} {credit.currency}"
    if exact:
        docs = [invoice.billing_document for invoice in exact]
        return _unapplied(
            credit,
            f"names no invoice; ambiguous: customer {customer} has {len(exact)} open "
            f"invoices of exactly {money} ({', '.join(docs)})",
            docs,
        )
    # Ops decides from the customer's open invoices, so they travel with the credit.
    return _unapplied(
        credit,
        f"names no invoice; customer {customer} has no open invoice of exactly {money}",
        [invoice.billing_document for invoice in open_invoices],
    )


def _identify_payer(
    credit: BankCredit, ledger: _Ledger, accounts: Mapping[str, str]
) -> tuple[str | None, str]:
    """The payer's customer id, or None with why it is not known."""
    account = _account_key(credit.payer_account)
    if account and account in accounts:
        return accounts[account], ""
    name = _name_key(credit.payer_name)
    customers = ledger.customer_names().get(name, set()) if name else set()
    if len(customers) == 1:
        return next(iter(customers)), ""
    if customers:
        # Two customers of one name: paying either by amount would be a guess.
        ids = ", ".join(sorted(customers))
        return None, f"payer name {credit.payer_name!r} fits several customers ({ids})"
    payer = credit.payer_name or credit.payer_account or "no name"
    return None, f"the payer is unknown ({payer})"


def _spread(
    credit: BankCredit,
    invoices: Sequence[Receivable],
    rule: MatchRule,
    closed_notes: Mapping[str, str],
) -> CashDecision:
    unique: dict[str, Receivable] = {}
    for invoice in invoices:
        unique.setdefault(invoice.billing_document, invoice)
    notes: list[str] = []
    payable: list[Receivable] = []
    for doc, invoice in unique.items():
        if invoice.currency != credit.currency:
            notes.append(f"{doc} is in {invoice.currency}, not {credit.currency}")
        elif round_money(invoice.open_amount) <= 0:
            notes.append(closed_notes.get(doc, f"{doc} already settled (nothing open)"))
        else:
            payable.append(invoice)
    if not payable:
        return _unapplied(credit, "not applied: " + "; ".join(notes), list(unique))

    left = round_money(credit.amount)
    applications: list[CashApplication] = []
    for invoice in payable:
        open_amount = round_money(invoice.open_amount)
        paid = min(left, open_amount)
        if paid <= 0:
            break  # the money ran out: the rest stay as they were and are not listed
        left -= paid
        applications.append(
            CashApplication(
                entry_id=credit.entry_id,
                billing_document=invoice.billing_document,
                order_workflow_id=invoice.order_workflow_id,
                customer_id=invoice.customer_id,
                currency=invoice.currency,
                amount=paid,
                open_after=open_amount - paid,
                invoice_amount=invoice.amount,
                short_reason=(credit.remittance_text or NO_REASON_GIVEN)
                if paid < open_amount
                else "",
            )
        )

    total_open = sum((round_money(invoice.open_amount) for invoice in payable), _ZERO)
    money = f"{round_money(credit.amount)} {credit.currency}"
    applied_to = ", ".join(application.billing_document for application in applications)
    parts = [f"{rule.value}: {money} applied to {applied_to}"]
    if left > 0:
        parts.append(f"overpayment of {left} {credit.currency} kept unapplied")
    elif round_money(credit.amount) < total_open:
        short = total_open - round_money(credit.amount)
        parts.append(
            f"short payment: {short} {credit.currency} of {total_open} left open "
            f"({', '.join(_still_open(payable, applications))}); "
            f"payer's note: {credit.remittance_text or 'none'}"
        )
    return CashDecision(
        credit=credit,
        rule=rule,
        applications=applications,
        unapplied_amount=left,
        reason="; ".join(parts + notes),
    )


def _still_open(
    payable: Sequence[Receivable], applications: Sequence[CashApplication]
) -> list[str]:
    paid = {application.billing_document: application for application in applications}
    return [
        invoice.billing_document
        for invoice in payable
        if invoice.billing_document not in paid or not paid[invoice.billing_document].settles
    ]


def _unapplied(credit: BankCredit, reason: str, candidates: list[str]) -> CashDecision:
    return CashDecision(
        credit=credit,
        rule=None,
        unapplied_amount=round_money(credit.amount),
        candidates=candidates,
        reason=reason,
    )


def _account_key(account: str) -> str:
    return "".join(account.split()).upper()


def _name_key(name: str) -> str:
    """Names as people type them: case, punctuation and spacing do not matter."""
    kept = "".join(char for char in name.casefold() if char.isalnum() or char.isspace())
    return " ".join(kept.split())
