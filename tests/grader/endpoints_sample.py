import functools


def wrapped(func):
    @functools.wraps(func)
    async def wrapper(*args, **kwargs):
        return await func(*args, **kwargs)

    return wrapper


async def plain(item_id: int):
    return item_id


@wrapped
async def decorated(item_id: int):
    return item_id


def sync(q: str = ""):  # a comment
    return q


class Callable:
    def __call__(self):
        return 1


instance = Callable()
short = lambda: 1  # noqa: E731
partial = functools.partial(sync, q="x")
