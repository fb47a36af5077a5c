"""`python -m sandbox`: serve the sandbox on `SANDBOX_HOST:SANDBOX_PORT` (127.0.0.1:8070)."""

import uvicorn

from sandbox.app import create_app
from sandbox.settings import SandboxSettings


def main() -> None:
    """Run the sandbox until interrupted."""
    settings = SandboxSettings()
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
    )


if __name__ == "__main__":
    main()
