import asyncio

from workers.main import main

asyncio.run(main())
