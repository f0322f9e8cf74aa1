"""Real IMR determination letters: parse them into records and strip decisions for replay."""
