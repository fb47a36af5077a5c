"""Settings shared by every Ordermesh process."""

from pydantic_settings import BaseSettings, SettingsConfigDict


class TemporalSettings(BaseSettings):
    """Where Temporal is and which task queues Ordermesh uses.

    Attributes:
        task_queue: Workflows and the activities of every system but the ERP.
        erp_task_queue: ERP activities alone, so one rate limit protects the ERP.
        erp_lookup_task_queue: The verdict's ERP lookups, so a verdict never waits in
            line behind ERP writes (its SAP requests still keep to the ERP budget).
    """

    model_config = SettingsConfigDict(env_prefix="ORDERMESH_TEMPORAL_")

    address: str = "127.0.0.1:7233"
    namespace: str = "default"
    task_queue: str = "ordermesh-orders"
    erp_task_queue: str = "ordermesh-erp"
    erp_lookup_task_queue: str = "ordermesh-erp-lookups"
