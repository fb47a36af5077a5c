"""Where the SAP S/4HANA system is and how to talk to it; every field set by environment."""

from decimal import Decimal
from typing import Annotated

from pydantic import Field, SecretStr, StringConstraints
from pydantic_settings import BaseSettings, SettingsConfigDict

ShippingPoint = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4)]
"""SAP's `ShippingPoint` (VSTEL): one to four characters."""


class SapSettings(BaseSettings):
    """Connection and organisational settings for `adapters.erp.sap.SapErpAdapter`.

    Read from environment variables prefixed `ORDERMESH_SAP_`, e.g.
    `ORDERMESH_SAP_BASE_URL=http://127.0.0.1:8010`.

    Attributes:
        base_url: Scheme, host and port of the SAP Gateway (no service path).
        client: The SAP client (mandant), sent as `sap-client` on every request.
        username: Basic-auth user; no `Authorization` header when unset.
        password: Basic-auth password.
        sales_organization: `SalesOrganization` of created sales orders and invoices.
        distribution_channel: `DistributionChannel` of created sales orders.
        division: `OrganizationDivision` of created sales orders.
        sales_order_type: `SalesOrderType` of created sales orders.
        billing_document_type: `BillingDocumentType` of created invoices.
        returns_order_type: `SalesOrderType` of returns orders (CBAR: S/4HANA's
            customer returns).
        credit_memo_type: `BillingDocumentType` of credit memos for returns (G2).
        shipping_point: `ShippingPoint` of outbound deliveries whose warehouse is
            neither in `shipping_points` nor itself a valid (four-character) one.
        shipping_points: Warehouse code -> SAP shipping point, e.g. (as JSON in the
            environment) `{"BERLIN-01": "1710"}`.
        language: Language of texts Ordermesh writes (the idempotency marker, the
            reasons items were rejected) and of descriptions it reads.
        timeout_seconds: Per-request timeout (connect, read, write, pool).
        company_code: The company code receivables and payments are posted in
            (1710 is German in mock-sap).
        output_tax_rate: Output tax on what is billed, as a fraction (0.19: Germany's
            standard rate, which mock-sap's own invoices use for 1710).
        default_payment_terms: Terms key of receivables whose request names none.
        receivables_account: G/L reconciliation account of customer receivables.
        revenue_account: G/L account of sales revenue.
        output_tax_account: G/L account of output tax.
        bank_account: G/L account of the bank that customer payments arrive on
            (mock-sap's statement clearing posts to 0000113100).
    """

    model_config = SettingsConfigDict(env_prefix="ORDERMESH_SAP_", extra="ignore")

    base_url: str = "http://127.0.0.1:8010"
    client: str = "100"
    username: str | None = None
    password: SecretStr | None = None
    sales_organization: str = "1710"
    distribution_channel: str = "10"
    division: str = "00"
    sales_order_type: str = "OR"
    billing_document_type: str = "F2"
    returns_order_type: str = Field(default="CBAR", min_length=1, max_length=4)
    credit_memo_type: str = Field(default="G2", min_length=1, max_length=4)
    shipping_point: ShippingPoint = "1710"
    shipping_points: dict[str, ShippingPoint] = Field(default_factory=dict)
    language: str = "EN"
    timeout_seconds: float = Field(default=10.0, gt=0)
    company_code: str = Field(default="1710", min_length=1, max_length=4)
    output_tax_rate: Decimal = Field(default=Decimal("0.19"), ge=0, lt=1)
    default_payment_terms: str = Field(default="NT30", max_length=4)
    receivables_account: str = "0012100000"
    revenue_account: str = "0041000000"
    output_tax_account: str = "0022000000"
    bank_account: str = "0000113100"
