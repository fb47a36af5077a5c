"""`python -m api`: serve the API alone."""

import uvicorn

from api.main import create_app
from api.settings import ApiSettings

settings = ApiSettings()
uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port, log_level="info")
