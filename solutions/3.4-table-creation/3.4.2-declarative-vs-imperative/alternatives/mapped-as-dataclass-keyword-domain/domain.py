class Entity:
    """Shared behaviour of domain objects, still plain Python."""

    def describe(self):
        return f"{type(self).__name__}({vars(self)})"


class ImpBook(Entity):
    def __init__(self, *, title, author, published_year=None):
        self.title = title
        self.author = author
        self.published_year = published_year
