# Task 1: s1..s8 -> "advantage", "disadvantage" or "false"
# Task 2: m1, m2 -> "a", "b", "c" or "d"

ANSWERS: dict[str, str] = {
    "s1": "advantage",  # OpenAPI + Swagger UI generated from the code
    "s2": "false",  # plain def endpoints run in a worker thread
    "s3": "disadvantage",  # the event loop pitfall
    "s4": "false",  # SQLAlchemy/SQLModel, sqladmin and Alembic are separate projects
    "s5": "advantage",  # dependency injection, easy to override in tests
    "s6": "disadvantage",  # a micro-framework: you assemble the rest
    "s7": "false",  # async helps while waiting, not while computing
    "s8": "advantage",  # Pydantic validation and automatic 422s
    "m1": "b",
    "m2": "c",
}
