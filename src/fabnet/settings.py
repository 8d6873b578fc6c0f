"""Typed settings, read from ``FABNET_*`` environment variables."""

from __future__ import annotations

import os
import sys
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_data_dir() -> Path:
    """The per-user data folder: ``$XDG_DATA_HOME/fabnet`` (``~/.local/share/fabnet``) on Linux,
    ``~/Library/Application Support/fabnet`` on macOS, ``%APPDATA%\\fabnet`` on Windows.

    One folder whatever the working folder, so every command sees the same database.
    """
    if sys.platform == "win32":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / "fabnet"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "fabnet"
    xdg = os.environ.get("XDG_DATA_HOME", "").strip()
    return (Path(xdg) if xdg else Path.home() / ".local" / "share") / "fabnet"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FABNET_", extra="ignore")

    data_dir: Path = Field(default_factory=default_data_dir)
    """The data folder (SQLite database, file store); default: :func:`default_data_dir`."""
    database_url: str | None = None
    """SQLAlchemy URL; default: a SQLite file ``fabnet.db`` in ``data_dir``."""
    max_file_bytes: int = 50 * 1024 * 1024
    """Largest CAD file the content-addressed store accepts."""
    max_request_bytes: int = 1024 * 1024
    """Largest request body of a route that takes no file upload (larger answers 413)."""
    job_backend: str = "inprocess"
    """``inprocess`` (default) or ``celery``."""
    redis_url: str = "redis://127.0.0.1:6379/0"
    job_retry_base_seconds: float = 10.0
    """First retry delay of a failed job; doubles with every attempt (with jitter)."""
    job_retry_max_seconds: float = 3600.0
    """Longest delay between two attempts of a job."""
    job_lease_seconds: float = Field(default=60.0, gt=0)
    """How long a running job stays its runner's without a heartbeat (the runner renews it every
    third of this while the job runs); a job whose runner died is taken over once it lapses."""
    slicer_path: str = "prusa-slicer"
    geometry_timeout_seconds: float = Field(default=120.0, gt=0)
    """Longest time reading one mesh and measuring it (volume, area, section) may take."""
    geometry_memory_bytes: int = Field(default=4 * 1024**3, gt=0)
    """Largest address space of the child process that reads and measures one mesh."""
    openscad_path: str = "openscad"
    idempotency_lease_seconds: float = Field(default=30.0, gt=0)
    """How long an API request's claim on its Idempotency-Key holds without renewal (the
    request renews it while it runs): a retry after a crash is refused (409) for at most this
    long, then runs."""
    webhook_allow_private_targets: bool = False
    """Allow webhook URLs on loopback, private or link-local addresses (tests, closed networks)."""
    secret_key: str = "dev-insecure-change-me"
    """Encrypts users' private signing keys at rest; set it in production."""
    secret_key_previous: str = ""
    """During a key rotation: the keys used before (comma-separated, newest first). Sealed values
    and web forms made under them stay readable until ``fabnet db reseal`` re-seals every value
    under ``secret_key``; then remove them."""
    smtp_host: str | None = None
    """SMTP server for e-mail notifications (none: notifications stay in the web/API list)."""
    smtp_port: int = 25
    smtp_from: str = "fabnet@localhost"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    web_vendor_dir: Path | None = None
    """Where the web interface's front-end packages are (``npm ci``'s ``node_modules``);
    default: ``node_modules`` of the source checkout, then of the working directory."""
    web_tile_url: str | None = None
    """A map tile server (``https://tiles.example.org/{z}/{x}/{y}.png``) where a deployment has
    one; default: the offline Natural Earth countries basemap, no request to another host."""
    web_tile_attribution: str = ""
    """Attribution shown under maps that use ``web_tile_url``."""
    web_session_days: int = 14
    """How long a web sign-in lasts."""

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'fabnet.db'}"

    @property
    def file_store_dir(self) -> Path:
        return self.data_dir / "files"

    @property
    def secret_keys(self) -> tuple[str, ...]:
        """The current secret key first, then the previous ones of a rotation."""
        previous = (k.strip() for k in self.secret_key_previous.split(","))
        return (self.secret_key, *(k for k in previous if k and k != self.secret_key))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
