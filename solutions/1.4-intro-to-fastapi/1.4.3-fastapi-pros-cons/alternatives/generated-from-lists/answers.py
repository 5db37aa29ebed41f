# ALTERNATIVE: s1..s8 generated from a list with enumerate, m1/m2 merged in
ADV, DIS, NO = "advantage", "disadvantage", "false"
_classes = [ADV, NO, DIS, NO, ADV, DIS, NO, ADV]
ANSWERS: dict[str, str] = {f"s{i}": c for i, c in enumerate(_classes, start=1)}
ANSWERS |= {"m1": "b", "m2": "c"}
