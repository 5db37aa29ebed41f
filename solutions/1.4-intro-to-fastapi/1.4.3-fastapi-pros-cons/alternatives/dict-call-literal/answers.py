# ALTERNATIVE: the ten answers written as one dict(...) call
ANSWERS = dict(
    s1="advantage",
    s2="false",
    s3="disadvantage",
    s4="false",
    s5="advantage",
    s6="disadvantage",
    s7="false",
    s8="advantage",
    m1="b",
    m2="c",
)
