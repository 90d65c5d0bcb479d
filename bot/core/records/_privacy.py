"""Who voted, without knowing who: a Discord user id becomes a salted hash, the salt kept in the data dir."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import threading
from pathlib import Path

SALT_FILE = "user-id-salt"
SALT_BYTES = 32


class UserHasher:
    """HMAC-SHA256 of a user id under a per-install salt (made on first use, mode 0600).

    The same user hashes to the same value in one data dir (one vote per user per answer), but the value
    cannot be matched against a user id without the salt, and a new data dir gives new values.
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / SALT_FILE
        self._salt: bytes | None = None
        self._lock = threading.Lock()

    def _load_salt(self) -> bytes:
        with self._lock:
            if self._salt is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with contextlib.suppress(FileExistsError):  # another process may make it first: then read theirs
                    fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                    try:
                        os.write(fd, secrets.token_hex(SALT_BYTES).encode())
                        os.fsync(fd)
                    finally:
                        os.close(fd)
                salt = self.path.read_bytes().strip()
                if len(salt) < SALT_BYTES:
                    raise OSError(f"{self.path} is too short to be a salt; delete it and a new one is made")
                self._salt = salt
            return self._salt

    def hash(self, user_id: int) -> str:
        return hmac.new(self._load_salt(), str(int(user_id)).encode(), hashlib.sha256).hexdigest()[:32]
