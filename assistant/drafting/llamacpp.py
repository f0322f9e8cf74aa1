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


def bounded_schema(schema: dict, max_length: int = 160, max_items: int = 2) -> dict:
    """Bound every string and list so a small local model's constrained JSON always closes within its budget."""
    if isinstance(schema, dict):
        bounded = {k: bounded_schema(v, max_length, max_items) for k, v in schema.items()}
        if bounded.get("type") == "string":
            bounded.setdefault("maxLength", max_length)
        if bounded.get("type") == "array":
            bounded.setdefault("maxItems", max_items)
        return bounded
    if isinstance(schema, list):
        return [bounded_schema(v, max_length, max_items) for v in schema]
    return schema


class LlamaCppChatModel(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    llama: Any
    temperature: float = 0.0
    max_tokens: int = 700
    structured_max_tokens: int = 1200

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

    def with_structured_output(self, schema, **kwargs):
        """Grammar-constrained JSON from llama.cpp, parsed into the pydantic `schema`."""
        import json

        from langchain_core.runnables import RunnableLambda

        def run(messages):
            payload = [{"role": ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
            response = self.llama.create_chat_completion(
                messages=payload, temperature=self.temperature, max_tokens=self.structured_max_tokens,
                repeat_penalty=1.3,
                response_format={"type": "json_object", "schema": bounded_schema(schema.model_json_schema())},
            )
            return schema.model_validate(json.loads(response["choices"][0]["message"]["content"] or "{}"))

        return RunnableLambda(run)

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager=None, **kwargs) -> ChatResult:
        payload = [{"role": ROLES.get(m.type, "user"), "content": str(m.content)} for m in messages]
        response = self.llama.create_chat_completion(messages=payload, temperature=self.temperature,
                                                     max_tokens=self.max_tokens, stop=stop)
        text = response["choices"][0]["message"]["content"] or ""
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])
