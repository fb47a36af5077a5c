"""`python -m api`: serve the API alone."""

import sys

import uvicorn
from pydantic import ValidationError
from pydantic_settings import SettingsError

from api.main import create_app
from api.settings import ApiSettings
from runtime.telemetry import configure_process, instrument_api

try:
    settings = ApiSettings()
except (ValidationError, SettingsError) as err:
    # Says which setting is wrong and why; never echoes a value (keys, secrets).
    sys.exit(f"ordermesh api: not starting, the configuration is invalid:\n{err}")
provider = configure_process("ordermesh-api")
app = create_app(settings)
instrument_api(app, provider)
# log_config=None: uvicorn's lines go through the JSON handler configure_process set.
uvicorn.run(app, host=settings.api_host, port=settings.api_port, log_config=None)
