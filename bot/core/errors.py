"""The one base class for errors whose message is written for the person who caused them."""

from __future__ import annotations


class MusebotError(Exception):
    """A problem the user can act on; its message says what happened and what to do next.

    Front ends show the message as it is (CLI: one line and a non-zero exit; Discord: one calm
    ephemeral sentence). Anything that is not a MusebotError is a bug: logged with its traceback.
    """
