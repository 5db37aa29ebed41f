# Task 1: s1..s8 -> "advantage", "disadvantage" or "false"
# Task 2: m1, m2 -> "a", "b", "c" or "d"
# The statements and questions are in the README.

ANSWERS: dict[str, str] = {
    "s1": "",  # TODO: Task 1 - OpenAPI docs from type hints
    "s2": "",  # TODO: Task 1 - every endpoint must be async def
    "s3": "",  # TODO: Task 1 - a blocking call inside async def
    "s4": "",  # TODO: Task 1 - its own ORM, admin and migrations
    "s5": "",  # TODO: Task 1 - Depends and dependency_overrides
    "s6": "",  # TODO: Task 1 - less built in than Django
    "s7": "",  # TODO: Task 1 - CPU-bound endpoints run faster
    "s8": "",  # TODO: Task 1 - validation from type hints, automatic 422
    "m1": "",  # TODO: Task 2 - where the performance edge comes from
    "m2": "",  # TODO: Task 2 - calling a blocking library
}
