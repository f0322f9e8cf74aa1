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

    def follow_editor(self, case: CaseFile,
                      saved: dict[int, tuple[ItemRationale, VerificationReport | None]]) -> "ChatState":
        """This conversation, working on `case`'s saved drafts (the revisions the editor shows). Why: a draft the
        chat made for another case must never be revised or saved into this one, and "check item 2" must read
        what the reviewer edited, however the draft was made. Another case starts a fresh conversation."""
        state = self if self.case is not None and self.case.case_id == case.case_id else ChatState()
        state.case = case
        state.drafts = {index: rationale for index, (rationale, _report) in saved.items()}
        state.reports = {index: report for index, (_rationale, report) in saved.items() if report is not None}
        return state


@dataclass
class ChatReply:
    text: str
    intent: str
    passages: list[RetrievedPassage] = field(default_factory=list)
    rationale: ItemRationale | None = None
    report: VerificationReport | None = None
    item_index: int | None = None
    state: ChatState | None = None
