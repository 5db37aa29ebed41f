# WRONG: mistakes FastAPI for Django: its own ORM, admin and migrations, nothing missing.
# Task 1: s1..s8 -> "advantage", "disadvantage" or "false"
# Task 2: m1, m2 -> "a", "b", "c" or "d"

ANSWERS: dict[str, str] = {
    "s1": "advantage",
    "s2": "false",
    "s3": "disadvantage",
    "s4": "advantage",
    "s5": "advantage",
    "s6": "false",
    "s7": "false",
    "s8": "advantage",
    "m1": "b",
    "m2": "c",
}
