# WRONG: answers in free text (capitalised words and full options) instead of the listed values.
# Task 1: s1..s8 -> "advantage", "disadvantage" or "false"
# Task 2: m1, m2 -> "a", "b", "c" or "d"

ANSWERS: dict[str, str] = {
    "s1": "Advantage",
    "s2": "false",
    "s3": "disadvantage",
    "s4": "false",
    "s5": "advantage",
    "s6": "disadvantage",
    "s7": "false",
    "s8": "advantage",
    "m1": "b) ASGI server and event loop",
    "m2": "c",
}
