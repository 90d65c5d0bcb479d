"""musebot: answers questions about Meta's Muse Spark launch from news articles, with cited passages."""

__version__ = "0.1.0"
