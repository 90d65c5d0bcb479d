"""One cog per feature; each handler validates, defers, calls the service in a thread, renders and sends."""
