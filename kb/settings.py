"""One typed settings object for the CLI, the server and the library (environment variables STANCEKB_*)."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """StanceKB's settings; each field can be set as an environment variable ``STANCEKB_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="STANCEKB_", extra="ignore")

    store: str = Field(
        default="oxigraph:",
        description=(
            "Store location: 'memory:' (rdflib), 'oxigraph:' (in memory), 'oxigraph:PATH' (on disk) or "
            "'sparql:URL' (a remote SPARQL 1.1 endpoint, options in stancekb.remote)."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address the server listens on.")
    port: int = Field(default=8000, ge=0, le=65535, description="Port the server listens on.")
    base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Public base URL of the server, used for links and dereferenceable IRIs.",
    )
    update_token: SecretStr | None = Field(
        default=None,
        description="Bearer token that enables SPARQL Update and Graph Store writes; none means read-only.",
    )
    query_timeout: float = Field(default=30.0, gt=0, description="Seconds a query may run before it is stopped.")
    max_results: int = Field(default=100_000, gt=0, description="Most rows or triples a query may return.")
    max_body_bytes: int = Field(default=10_000_000, gt=0, description="Largest request body accepted, in bytes.")
    allow_service: bool = Field(default=False, description="Allow SPARQL SERVICE and LOAD (network access).")
    cors_origins: list[str] = Field(default=["*"], description="Origins allowed to read (CORS, no credentials).")
    load_kb: bool = Field(default=True, description="Load the packaged knowledge base into the store at start.")
