from fastapi import FastAPI

app = FastAPI(title="Shop API")

# TODO: Task 3 - include api.api_v1, and the health router at the root
