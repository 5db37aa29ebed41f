# WRONG: believes every endpoint must be async def; calls a blocking SDK from async def.
# Task 1: s1..s8 -> "advantage", "disadvantage" or "false"
# Task 2: m1, m2 -> "a", "b", "c" or "d"

ANSWERS: dict[str, str] = {
    "s1": "advantage",
    "s2": "disadvantage",
    "s3": "disadvantage",
    "s4": "false",
    "s5": "advantage",
    "s6": "disadvantage",
    "s7": "false",
    "s8": "advantage",
    "m1": "b",
    "m2": "a",
}
