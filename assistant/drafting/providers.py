"""Model backends as small plugins behind one interface: a name → a factory returning a LangChain chat model."""

from __future__ import annotations

import os
from collections.abc import Callable

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.config import Settings
from assistant.errors import ConfigurationError, ModelBackendError

ProviderFactory = Callable[[Settings], BaseChatModel]
PROVIDERS: dict[str, ProviderFactory] = {}


def provider(name: str) -> Callable[[ProviderFactory], ProviderFactory]:
    def register(factory: ProviderFactory) -> ProviderFactory:
        PROVIDERS[name] = factory
        return factory

    return register


def _require(module: str, extra: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ConfigurationError(f"The {extra} backend needs `pip install -e .[{extra}]` ({exc}).") from exc


@provider("openai")
def openai_model(settings: Settings) -> BaseChatModel:
    module = _require("langchain_openai", "llm")
    return module.ChatOpenAI(
        model=settings.model_name or "gpt-4o-mini",
        base_url=settings.model_base_url,
        api_key=settings.model_api_key or os.environ.get("OPENAI_API_KEY") or "not-needed-for-local-servers",
        temperature=settings.model_temperature,
    )


@provider("ollama")
def ollama_model(settings: Settings) -> BaseChatModel:
    module = _require("langchain_ollama", "llm")
    return module.ChatOllama(
        model=settings.model_name or "llama3.1",
        base_url=settings.model_base_url or "http://127.0.0.1:11434",
        temperature=settings.model_temperature,
    )


@provider("anthropic")
def anthropic_model(settings: Settings) -> BaseChatModel:
    module = _require("langchain_anthropic", "llm")
    api_key = settings.model_api_key or os.environ.get("ANTHROPIC_API_KEY")
    if not api_key:
        raise ConfigurationError("The anthropic backend needs ASSISTANT_MODEL_API_KEY or ANTHROPIC_API_KEY.")
    return module.ChatAnthropic(model=settings.model_name or "claude-sonnet-4-5", api_key=api_key,
                                temperature=settings.model_temperature)


@provider("llamacpp")
def llamacpp_model(settings: Settings) -> BaseChatModel:
    from assistant.drafting.llamacpp import LlamaCppChatModel

    if not settings.llamacpp_model_path:
        raise ConfigurationError("The llamacpp backend needs ASSISTANT_LLAMACPP_MODEL_PATH pointing to a .gguf file.")
    return LlamaCppChatModel.from_path(settings.llamacpp_model_path, temperature=settings.model_temperature)


def chat_model_for(settings: Settings) -> BaseChatModel:
    if settings.model == "offline":
        raise ModelBackendError("The offline backend uses no chat model.")
    factory = PROVIDERS.get(settings.model)
    if factory is None:
        raise ConfigurationError(f"Unknown model backend {settings.model!r}; choose one of offline, {', '.join(PROVIDERS)}.")
    return factory(settings)
