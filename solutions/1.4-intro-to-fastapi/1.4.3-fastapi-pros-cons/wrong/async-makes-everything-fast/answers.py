# WRONG: believes async speeds up CPU-bound work and that the gain is compiled code.
# Task 1: s1..s8 -> "advantage", "disadvantage" or "false"
# Task 2: m1, m2 -> "a", "b", "c" or "d"

ANSWERS: dict[str, str] = {
    "s1": "advantage",
    "s2": "false",
    "s3": "disadvantage",
    "s4": "false",
    "s5": "advantage",
    "s6": "disadvantage",
    "s7": "advantage",
    "s8": "advantage",
    "m1": "a",
    "m2": "c",
}
