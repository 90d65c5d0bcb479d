"""The Discord adapter: a thin layer over MuseService (client, cogs, pure rendering, one error policy)."""
