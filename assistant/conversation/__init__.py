"""Conversation stage: route a reviewer's message to lookup, draft, revise, check or explain."""
