"""Default dimension weights and tier thresholds: plain data, so the config can import it cheaply.

A weight is the number of score points a dimension adds at full strength
(value 1.0); negative weights pull a request down (mechanical work). The
score starts at ``BASE_SCORE`` and is clamped to 0-100. How these numbers
were chosen, and how well they do, is in the README ("Routing"): they are the
hand-set values, fitted on all 455 labelled turns (every split, each after its one blind
measurement) by ``python -m tests.routing.fit_weights`` (a pull toward the hand-set prior
whose strength 5-fold cross-validation chose: 1.0, 78.1% on held-out folds).
``config.example.toml`` shows exactly these numbers (``tests/unit/test_config.py`` checks it):
re-fitting means changing both.
"""

from __future__ import annotations

BASE_SCORE = 18.0

DEFAULT_WEIGHTS: dict[str, float] = {
    "context_size": 8.0,
    "user_text_size": 13.0,
    "short_request": -2.0,
    "code_volume": 4.0,
    "languages": 1.0,
    "tools_offered": 4.0,
    "write_tools": 10.0,
    "tool_loop_depth": 16.0,
    "error_signals": 10.0,
    "reasoning_cues": 30.0,
    "deliberation": 4.0,
    "focused_build": -2.0,
    "mechanical_cues": -23.0,
    "plan_cues": 8.0,
    "risk": 35.0,
    "domain_difficulty": 22.0,
    "debugging": 12.0,
    "images": 3.0,
    "output_size": 4.0,
    "thinking_requested": 20.0,
    "conversation_length": 3.0,
    "code_structure": 9.0,
    "blast_radius": 8.0,
    "god_nodes": 4.0,
}

# Score at which each tier starts; below the first, a request is "simple".
DEFAULT_THRESHOLDS: dict[str, float] = {"medium": 23.0, "complex": 49.0, "reasoning": 99.0}

DEFAULT_RULES: dict[str, bool] = {
    "thinking_to_reasoning": True,
    "images_need_vision": True,
    "context_window_escalation": True,
    "risky_writes_min_complex": True,
    "side_requests_to_simple": True,
    "sticky_tool_loops": True,
    "arguments_to_reasoning": True,
}
