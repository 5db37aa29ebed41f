import asyncio  # noqa: F401  (for Task 1)
import time  # noqa: F401  (for Task 2)

from fastapi import FastAPI

IO_SECONDS = 0.2  # how long each simulated I/O call waits

app = FastAPI()


# TODO: Task 1 - keep count of the /io/* requests in flight (now and the most at once), and
#       serve them at GET /stats as {"in_flight": int, "max_in_flight": int}


# TODO: Task 1 - GET /io/async: an async def that awaits asyncio.sleep(IO_SECONDS) while counted
#       as in flight, then returns {"mode": "async"}


# TODO: Task 2 - GET /io/sync: a plain def that calls time.sleep(IO_SECONDS) while counted as
#       in flight, then returns {"mode": "sync"}


# TODO: Task 3 - POST /stats/reset answers 204 and sets max_in_flight back to 0
