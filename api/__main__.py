"""`python -m api`: serve the API alone."""

import sys

import uvicorn
from pydantic import ValidationError
from pydantic_settings import SettingsError

from api.main import create_app
from api.settings import ApiSettings

try:
    settings = ApiSettings()
except (ValidationError, SettingsError) as err:
    # Says which setting is wrong and why; never echoes a value (keys, secrets).
    sys.exit(f"ordermesh api: not starting, the configuration is invalid:\n{err}")
uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port, log_level="info")
