"""Cash-application activities: read the bank, decide what each credit pays, post it
to the ERP.

The ledger (`store.cash_ledger`) is written in the same activity that decides, so a
credit is claimed once however often a statement is read; the ERP is told afterwards,
and both ERP calls are idempotent (a cleared invoice is not open to be cleared again;
a part payment is found by its key before a second is posted).
"""

import asyncio
from collections.abc import Mapping
from decimal import Decimal

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.cash_contracts import (
    DECIDE_CASH,
    DECIDE_UNAPPLIED_CASH,
    INVOICE_NOT_OPEN,
    POST_CASH_TO_ERP,
    READ_BANK_CREDITS,
    UNAPPLIED_ALREADY_DECIDED,
    UNAPPLIED_NOT_FOUND,
    DecideCashInput,
    DecideCashResult,
    DecideUnappliedCashInput,
    PostCashInput,
    PostCashResult,
    PostedApplication,
    ReadBankCreditsInput,
    ReadBankCreditsResult,
    RefusedApplication,
)
from activities.errors import rejections_as_application_errors
from adapters.bank.port import BankPort
from adapters.erp.port import ClearingLine, ClearingRequest, ErpPort, PartPaymentRequest
from canonical.cash import BankCredit, CashApplication, CashDecision, MatchRule, Receivable
from canonical.cash_matching import apply_credit, match_credits
from store.cash_ledger import CashLedger
from store.cash_tables import UnappliedCash


class CashActivities:
    """Activities of cash application.

    Args:
        bank: Where statements come from.
        erp: Where receivables are, and where clearings are posted.
        ledger: What has been handled, and the unapplied cash.
        payer_accounts: Payer account (IBAN) -> customer id, for payments that name
            no invoice.
    """

    def __init__(
        self,
        bank: BankPort,
        erp: ErpPort,
        ledger: CashLedger,
        payer_accounts: Mapping[str, str] | None = None,
    ) -> None:
        self._bank = bank
        self._erp = erp
        self._ledger = ledger
        self._payer_accounts = dict(payer_accounts or {})

    @activity.defn(name=READ_BANK_CREDITS)
    async def read_bank_credits(self, input: ReadBankCreditsInput) -> ReadBankCreditsResult:
        since = await asyncio.to_thread(self._ledger.read_since, input.account)
        with rejections_as_application_errors():
            statements = await self._bank.statements(input.account, since)
        credits = [credit for statement in statements for credit in statement.credits]
        fresh = await asyncio.to_thread(self._ledger.unseen, input.account, credits)
        return ReadBankCreditsResult(
            statements=[s.model_copy(update={"credits": []}) for s in statements],
            credits=fresh,
        )

    @activity.defn(name=DECIDE_CASH)
    async def decide_cash(self, input: DecideCashInput) -> DecideCashResult:
        """Match the credits against the open receivables and claim them in the ledger."""
        if not input.credits:
            # Nothing new: the ERP is not asked (the schedule runs every few minutes).
            await asyncio.to_thread(self._ledger.mark_read, input.account, input.statements)
            return DecideCashResult()
        receivables = await self._open_receivables()
        decisions = match_credits(input.credits, receivables, self._payer_accounts)
        claimed = await asyncio.to_thread(self._ledger.claim, input.run_id, decisions)
        await asyncio.to_thread(self._ledger.mark_read, input.account, input.statements)
        return DecideCashResult(decisions=claimed)

    @activity.defn(name=DECIDE_UNAPPLIED_CASH)
    async def decide_unapplied_cash(self, input: DecideUnappliedCashInput) -> DecideCashResult:
        """Apply unapplied cash to the invoices a person named."""
        item = await asyncio.to_thread(self._ledger.unapplied_item, input.unapplied_id)
        if item is None:
            raise _refused(UNAPPLIED_NOT_FOUND, f"no unapplied cash item {input.unapplied_id}")
        if item.state != "open":
            raise _refused(
                UNAPPLIED_ALREADY_DECIDED,
                f"unapplied cash item {item.id} was already applied to {item.applied_to}",
            )
        receivables = {r.billing_document: r for r in await self._open_receivables()}
        missing = [number for number in input.invoices if number not in receivables]
        if missing:
            raise _refused(INVOICE_NOT_OPEN, f"not open invoices: {', '.join(missing)}")
        decision = apply_credit(
            _credit_of(item, input.decided_by),
            [receivables[number] for number in input.invoices],
            MatchRule.OPS,
        )
        if not decision.applications:
            raise _refused(INVOICE_NOT_OPEN, decision.reason)
        if not await asyncio.to_thread(self._ledger.decide, input.unapplied_id, decision):
            raise _refused(
                UNAPPLIED_ALREADY_DECIDED, f"unapplied cash item {item.id} was already applied"
            )
        return DecideCashResult(decisions=[decision])

    @activity.defn(name=POST_CASH_TO_ERP)
    async def post_cash_to_erp(self, input: PostCashInput) -> PostCashResult:
        """Clear what is paid in full with a bank statement; post part payments on account.

        An invoice already part-paid cannot be cleared by the statement (the ERP clears
        only the exact amount of the item), so whatever is applied to it later is
        posted as a further part payment.
        """
        applications = [a for d in input.decisions for a in d.applications]
        clearing_lines: list[ClearingLine] = []
        by_line: dict[str, list[CashApplication]] = {}
        partial: list[CashApplication] = []
        for decision in input.decisions:
            whole = [a for a in decision.applications if a.clears_whole_invoice]
            partial += [a for a in decision.applications if not a.clears_whole_invoice]
            if whole:
                line_id = f"{len(clearing_lines) + 1:06d}"
                by_line[line_id] = whole
                clearing_lines.append(
                    ClearingLine(
                        line_id=line_id,
                        amount=sum((a.amount for a in whole), Decimal(0)),
                        billing_documents=[a.billing_document for a in whole],
                        payer_name=decision.credit.payer_name,
                        note=decision.credit.remittance_text,
                    )
                )
        result = PostCashResult()
        context = {d.credit.entry_id: d for d in input.decisions}
        with rejections_as_application_errors():
            if clearing_lines:
                cleared = await self._erp.clear_receivables(
                    ClearingRequest(
                        statement_id=input.statement_id,
                        posting_date=input.posting_date,
                        bank_account=input.account,
                        currency=applications[0].currency,
                        lines=clearing_lines,
                    )
                )
                documents = {
                    (c.line_id, c.billing_document): c.clearing_document for c in cleared.cleared
                }
                reasons = {r.line_id: r.reason for r in cleared.refused}
                for line_id, group in by_line.items():
                    for application in group:
                        document = documents.get((line_id, application.billing_document))
                        if document is not None:
                            result.posted.append(await self._posted(application, document, context))
                        else:
                            reason = reasons.get(line_id, "the ERP did not clear it")
                            result.refused.append(
                                await self._refused(application, input.account, reason)
                            )
            for application in partial:
                ref = await self._erp.post_part_payment(
                    PartPaymentRequest(
                        idempotency_key=f"{application.entry_id}:{application.billing_document}",
                        customer_id=application.customer_id,
                        billing_document=application.billing_document,
                        amount=application.amount,
                        currency=application.currency,
                        posting_date=input.posting_date,
                        reason=application.short_reason,
                    )
                )
                result.posted.append(
                    await self._posted(application, ref.accounting_document, context)
                )
        return result

    async def _open_receivables(self) -> list[Receivable]:
        """The ERP's open invoices, less what the ledger has already applied to them
        (part payments the ERP keeps beside the invoice)."""
        with rejections_as_application_errors():
            receivables = await self._erp.open_receivables()
        applied = await asyncio.to_thread(
            self._ledger.applied_amounts, [r.billing_document for r in receivables]
        )
        reduced = [
            r.model_copy(update={"open_amount": r.amount - applied.get(r.billing_document, 0)})
            for r in receivables
        ]
        return [r for r in reduced if r.open_amount > 0]

    async def _posted(
        self, application: CashApplication, document: str, context: Mapping[str, CashDecision]
    ) -> PostedApplication:
        await asyncio.to_thread(
            self._ledger.posted, application.entry_id, application.billing_document, document
        )
        decision = context.get(application.entry_id)
        credit = decision.credit if decision else None
        return PostedApplication(
            application=application,
            erp_document=document,
            value_date=credit.value_date if credit else None,
            payer_name=credit.payer_name if credit else "",
            rule=decision.rule.value if decision and decision.rule else "",
        )

    async def _refused(
        self, application: CashApplication, account: str, reason: str
    ) -> RefusedApplication:
        item_id = await asyncio.to_thread(self._ledger.refused, application, account, reason)
        return RefusedApplication(application=application, reason=reason, unapplied_id=item_id)


def _credit_of(item: UnappliedCash, decided_by: str) -> BankCredit:
    """The unapplied money as a credit of its own, so a decision about it has its own
    entry id (the bank entry may already have paid other invoices)."""
    return BankCredit(
        entry_id=f"{item.entry_id}/ops-{item.id}",
        account=item.account,
        amount=item.amount,
        currency=item.currency,
        value_date=item.value_date,
        payer_name=item.payer_name,
        payer_account=item.payer_account,
        structured_reference=item.reference,
        remittance_lines=[item.remittance] if item.remittance else [],
        end_to_end_id=decided_by,
    )


def _refused(kind: str, message: str) -> ApplicationError:
    return ApplicationError(message, type=kind, non_retryable=True)
