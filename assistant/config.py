"""All configuration in one place: environment variables (ASSISTANT_*) and CLI flags set the same fields."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_CATALOG = PROJECT_ROOT / "guideline_corpus" / "catalog.toml"
PROMPTS_DIR = PROJECT_ROOT / "prompts"

ModelBackend = Literal["offline", "openai", "ollama", "anthropic", "llamacpp"]

# Nothing reaches out to a model hub or an analytics endpoint, whatever the caller forgot.
for _name, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_name, _value)


def default_home() -> Path:
    return Path(platformdirs.user_data_dir("rationale-assistant", appauthor=False))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    home: Path = Field(default_factory=default_home, description="Where fetched documents, the index and drafts live.")
    catalog_file: Path = Field(default=BUNDLED_CATALOG, description="The committed guideline catalog.")
    corpus_mirror: Path | None = Field(default=None, description="A folder holding catalogued PDFs by file name; used before the URL.")
    chroma_url: str | None = Field(default=None, description="http://host:port of a Chroma server; embedded Chroma when unset.")
    guidelines: str | None = Field(
        default=None,
        description="Comma-separated catalog ids to restrict the active bundled guidelines to (e.g. for tests and CI); "
        "the reviewer's own additions and explicit `assistant corpus enable` choices still apply.",
    )
    embedding_model: str = Field(default="all-MiniLM-L6-v2", description="sentence-transformers model name or local path.")
    embedding_batch_size: int = 32
    index_workers: int = Field(default=0, description="Processes that parse PDFs during indexing; 0 = one per CPU core.")
    chunk_words: int = 120
    chunk_overlap_words: int = 30

    model: ModelBackend = "offline"
    model_name: str | None = None
    model_base_url: str | None = None
    model_api_key: str | None = None
    llamacpp_model_path: Path | None = None
    model_temperature: float = 0.0

    database_url: str | None = Field(default=None, description="postgresql://… for a team; SQLite under home when unset.")
    host: str = "127.0.0.1"
    port: int = 7860
    auth_file: Path | None = None
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Host names the web app answers to besides loopback names (DNS-rebinding defence); "
        'JSON list in ASSISTANT_ALLOWED_HOSTS, e.g. ["imr.example.org"].',
    )
    max_upload_mb: int = Field(
        default=60, ge=1, description="Largest file (case or guideline PDF) the web app accepts, per file."
    )
    reviewer: str = Field(default_factory=lambda: os.environ.get("USER", "reviewer") or "reviewer")
    debug_log_case_text: bool = False

    @property
    def documents_dir(self) -> Path:
        return self.home / "documents"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def user_catalog_file(self) -> Path:
        return self.home / "catalog.toml"

    @property
    def max_upload_bytes(self) -> int:
        """For Gradio's launch(max_file_size=…), which refuses larger uploads before they are stored."""
        return self.max_upload_mb * 1_000_000

    @property
    def gradio_temp_dir(self) -> Path:
        """Gradio's upload and download cache: inside the private data folder, never the system temp folder."""
        return self.home / "tmp" / "gradio"

    @property
    def active_guidelines_file(self) -> Path:
        return self.home / "active-guidelines.json"

    @property
    def guideline_restriction(self) -> set[str] | None:
        if not self.guidelines:
            return None
        return {part.strip() for part in self.guidelines.split(",") if part.strip()}

    @property
    def drafts_db(self) -> Path:
        return self.home / "drafts.sqlite3"

    @property
    def model_is_remote(self) -> bool:
        if self.model in ("offline", "llamacpp"):
            return False
        if self.model == "ollama":
            return not _is_loopback_url(self.model_base_url or "http://127.0.0.1:11434")
        return not _is_loopback_url(self.model_base_url or "")

    def with_overrides(self, **overrides: Any) -> "Settings":
        """Apply CLI flags (None means 'not given') on top of the environment."""
        given = {k: v for k, v in overrides.items() if v is not None}
        return Settings(**{**self.model_dump(), **given}) if given else self


def _is_loopback_url(url: str) -> bool:
    from urllib.parse import urlparse

    host = (urlparse(url).hostname or "").lower()
    return host in {"localhost", "::1"} or host.startswith("127.")


def load_settings(**overrides: Any) -> Settings:
    return Settings().with_overrides(**overrides)


# Flag name on the command line → Settings field; a flag a command does not define is simply absent.
_FLAG_FIELDS = {
    "home": "home", "chroma_url": "chroma_url", "model": "model", "model_name": "model_name",
    "model_base_url": "model_base_url", "host": "host", "port": "port", "auth": "auth_file",
    "database_url": "database_url", "reviewer": "reviewer",
}


def settings_from_args(args: Any) -> Settings:
    """Settings from the environment with the command-line flags (an argparse Namespace) on top."""
    given = vars(args) if args is not None else {}
    return load_settings(**{field: given.get(flag) for flag, field in _FLAG_FIELDS.items()})
