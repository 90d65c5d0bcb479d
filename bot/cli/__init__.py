"""musebot's command line (`musebot = "bot.cli:main"`).

`main.py` parses and dispatches; one module per command group (`ask`, `lookups`, `index`, `evaluate`, `loop`,
`run`); `context.py` turns flags into settings, the service and the question loop; `output.py` prints.
"""

from bot.cli.context import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from bot.cli.main import main

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_USAGE", "main"]
