"""A local GGUF model through llama-cpp-python, as a LangChain chat model (optional extra `llamacpp`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict

from assistant.errors import ConfigurationError

ROLES = {"system": "system", "human": "user", "ai": "assistant"}


class LlamaCppChatModel(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    llama: Any
    temperature: float = 0.0
    max_tokens: int = 700

    @classmethod
    def from_path(cls, path: Path, temperature: float = 0.0) -> "LlamaCppChatModel":
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise ConfigurationError("The llamacpp backend needs `pip install -e .[llamacpp]` (compiles llama.cpp).") from exc
        if not Path(path).is_file():
            raise ConfigurationError(f"GGUF model {path} does not exist.")
        return cls(llama=Llama(model_path=str(path), n_ctx=4096, verbose=False), temperature=temperature)

    @property
    def _llm_type(self) -> str:
        return "llamacpp"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager=None, **kwargs) -> ChatResult:
        payload = [{"role": ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
        response = self.llama.create_chat_completion(messages=payload, temperature=self.temperature,
                                                     max_tokens=self.max_tokens, stop=stop)
        text = response["choices"][0]["message"]["content"] or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
