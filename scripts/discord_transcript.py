"""Print what Discord receives for one /ask and one /benchmark: the real bot, the real model, the loopback emulator.

Usage: .venv/bin/python scripts/discord_transcript.py > docs/discord-transcript.md
Nothing leaves 127.0.0.1: the bot talks to tests/discord_emulator.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bot.config import load_settings  # noqa: E402
from bot.core.service import MuseService, ServiceConfig  # noqa: E402
from tests.discord_app.conftest import start_bot, stop_bot  # noqa: E402
from tests.discord_emulator import DiscordEmulator, patch_discord_py  # noqa: E402


async def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        corpus, index = Path(scratch) / "corpus", Path(scratch) / "index"
        shutil.copytree(ROOT / "corpus", corpus)
        if (ROOT / "index" / "onnx").is_dir():
            index.mkdir()
            (index / "onnx").symlink_to(ROOT / "index" / "onnx")
        service = MuseService(ServiceConfig(corpus_dir=corpus, index_dir=index))
        service.warm_up()
        async with DiscordEmulator(heartbeat_interval=0.5) as emulator:
            with patch_discord_py(emulator):
                settings = load_settings(
                    env_file=None, discord_token=emulator.token, guild_ids=[emulator.guild_id]
                ).bot_config()
                bot, running = await start_bot(emulator, settings, service)
                user = emulator.add_member("alice")
                ask = await (
                    await emulator.run_slash("ask", user=user, question="How did Muse Spark do on HealthBench Hard?")
                ).reply(30)
                lookup = await (await emulator.run_slash("benchmark", user=user, name="GDPval-AA")).reply(30)
                await stop_bot(bot, running)
    print("# What Discord receives: one /ask and one /benchmark\n")
    print("Produced by `.venv/bin/python scripts/discord_transcript.py` (the real bot and model, the loopback")
    print("emulator in tests/discord_emulator). Each block is the JSON body the bot sent for its reply.\n")
    for title, reply in (
        ('`/ask question:"How did Muse Spark do on HealthBench Hard?"`', ask),
        ("`/benchmark name:GDPval-AA`", lookup),
    ):
        print(f"## {title}\n\n```json\n{json.dumps(reply.body, indent=2, ensure_ascii=False)}\n```\n")


if __name__ == "__main__":
    asyncio.run(main())
