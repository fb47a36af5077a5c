"""Where the SAP S/4HANA system is and how to talk to it; every field set by environment."""

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
        shipping_point: `ShippingPoint` of outbound deliveries whose warehouse is
            neither in `shipping_points` nor itself a valid (four-character) one.
        shipping_points: Warehouse code -> SAP shipping point, e.g. (as JSON in the
            environment) `{"BERLIN-01": "1710"}`.
        language: Language of texts Ordermesh writes (the idempotency marker, the
            reasons items were rejected) and of descriptions it reads.
        timeout_seconds: Per-request timeout (connect, read, write, pool).
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
    shipping_point: ShippingPoint = "1710"
    shipping_points: dict[str, ShippingPoint] = Field(default_factory=dict)
    language: str = "EN"
    timeout_seconds: float = Field(default=10.0, gt=0)
