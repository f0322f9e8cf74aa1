"""With an LLM configured: a tool-calling loop (search_guidelines, draft_item, revise_item, check_draft).

The model chooses tools; the tools are the same deterministic stages. Its final answer may cite only the
passages the tools returned, by [n]; markers that match none are removed and the answer says so.
"""

from __future__ import annotations

import json
import re
from typing import Any, Protocol

from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool

from assistant.contracts import RetrievedPassage
from assistant.conversation.intents import requested_decision
from assistant.conversation.state import ChatReply, ChatState
from assistant.prompts import load_prompt



class ChatTools(Protocol):
    """What the tools call: the engine's public item operations, its services and its model."""

    services: Any
    model: Any

    def draft_item(self, case: Any, index: int, decision: Any, state: ChatState) -> ChatReply: ...

    def revise_item(self, index: int, instruction: str, state: ChatState) -> ChatReply: ...

    def check_item(self, index: int, state: ChatState) -> ChatReply: ...

MAX_STEPS = 4


def build_tools(engine: ChatTools, state: ChatState, case, found: list[RetrievedPassage]):
    from assistant.retrieval.search import unmatched_words_note

    @tool
    def search_guidelines(query: str) -> str:
        """Search the indexed guidelines; returns numbered passages with guideline and printed page."""
        passages = engine.services.lookup(query, k=4)
        start = len(found)
        found.extend(passages)
        listed = "\n\n".join(f"[{start + n}] {p.citation.label()}\n{p.citation.quote}" for n, p in enumerate(passages, start=1))
        unmatched = engine.services.words_no_guideline_uses(query) if passages else []
        return f"{unmatched_words_note(unmatched)}\n\n{listed}" if unmatched else listed

    @tool
    def draft_item(item_number: int, decision: str = "") -> str:
        """Draft the rationale of a disputed item (1-based number) with decision Upheld or Overturned."""
        return engine.draft_item(case, item_number - 1, requested_decision(decision) if decision else None, state).text

    @tool
    def revise_item(item_number: int, instruction: str) -> str:
        """Revise the current draft of an item following the reviewer's instruction."""
        return engine.revise_item(item_number - 1, instruction, state).text

    @tool
    def check_draft(item_number: int) -> str:
        """Verify the citations of the current draft of an item."""
        return engine.check_item(item_number - 1, state).text

    return [search_guidelines, draft_item, revise_item, check_draft]


def keep_verified_markers(text: str, passages: list[RetrievedPassage]) -> tuple[str, int]:
    """Remove [n] markers that match no passage the tools returned; count them."""
    removed = 0

    def check(match: re.Match[str]) -> str:
        nonlocal removed
        if 1 <= int(match.group(1)) <= len(passages):
            return match.group(0)
        removed += 1
        return ""

    return re.sub(r"\[(\d{1,3})\]", check, text), removed


def agent_reply(engine: ChatTools, message: str, state: ChatState, case) -> ChatReply:
    found: list[RetrievedPassage] = []
    tools = build_tools(engine, state, case, found)
    by_name = {t.name: t for t in tools}
    model = engine.model.bind_tools(tools)
    messages = [SystemMessage(content=load_prompt("system")), HumanMessage(content=message)]
    answer = ""
    for _ in range(MAX_STEPS):
        response = model.invoke(messages)
        messages.append(response)
        calls = getattr(response, "tool_calls", None) or []
        if not calls:
            answer = str(response.content)
            break
        for call in calls:
            chosen = by_name.get(call["name"])
            output = chosen.invoke(call["args"]) if chosen else f"Unknown tool {call['name']}."
            messages.append(ToolMessage(content=output if isinstance(output, str) else json.dumps(output),
                                        tool_call_id=call["id"]))
    if not found:
        found.extend(engine.services.lookup(message, k=4))
    answer, removed = keep_verified_markers(answer or "", found)
    if removed:
        answer += f"\n\n(Removed {removed} citation marker(s) that matched no retrieved passage.)"
    return ChatReply(text=answer.strip() or "No answer.", intent="lookup", passages=found)
