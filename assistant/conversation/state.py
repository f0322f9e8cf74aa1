"""What a conversation keeps between turns (ChatState) and what one turn answers (ChatReply)."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistant.contracts import CaseFile, ItemRationale, RetrievedPassage, VerificationReport


@dataclass
class ChatState:
    drafts: dict[int, ItemRationale] = field(default_factory=dict)
    reports: dict[int, VerificationReport] = field(default_factory=dict)
    last_item: int = 0
    history: list[tuple[str, str]] = field(default_factory=list)
    case: CaseFile | None = None
    """The case the drafts belong to: revisions and checks verify record facts against it."""


@dataclass
class ChatReply:
    text: str
    intent: str
    passages: list[RetrievedPassage] = field(default_factory=list)
    rationale: ItemRationale | None = None
    report: VerificationReport | None = None
    item_index: int | None = None
    state: ChatState | None = None
