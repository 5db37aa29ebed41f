from fastapi import FastAPI

from models import ProductDC  # noqa: F401  (used by Task 3)

app = FastAPI()


# TODO: Task 3 - POST /dc takes a ProductDC body and answers it as JSON
