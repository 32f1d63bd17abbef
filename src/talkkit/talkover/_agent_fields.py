"""The write rules of agent requests (create-agent, knowledge, voice, call), as field tables."""

from __future__ import annotations

from talkkit.talkover import _fields as f
from talkkit.talkover.types import Direction, InterruptSensitivity, WhoSpeaksFirst

__all__ = ["CALL", "CREATE", "KNOWLEDGE", "KNOWLEDGE_REQUIRED", "VOICE", "VOICE_REQUIRED"]

_SENSITIVITY = f.choice(InterruptSensitivity)
_SPEAKER = f.choice(WhoSpeaksFirst)
_LANGUAGE = f.choice(f.LANGUAGES)

CREATE: dict[str, f.Check] = {
    "name": f.text(min_len=1, max_len=255),
    "label": f.text(max_len=255),
    "description": f.text(),
    "language": _LANGUAGE,
    "initial_message": f.text(),
    "interrupt_sensitivity": _SENSITIVITY,
    "endpointing_sensitivity": f.text(max_len=255),
    "ivr_navigation_mode": f.text(max_len=255),
    "conversation_speed": f.number(0.1, 3.0),
    "initial_message_delay": f.number(0, 60),
    "ask_if_human_present_on_idle": f.flag,
    "idle_time_seconds": f.integer(1, 60),
    "max_idle_check_count": f.integer(1, 10),  # INFERRED name (range documented)
    "max_call_duration_seconds": f.integer(1, 3600),
    "say_goodbye_on_max_duration": f.flag,
    "user_inactivity_timeout_seconds": f.integer(5, 120),
    "initial_idle_time_seconds": f.integer(1, 60),
    "initial_max_idle_check_count": f.integer(1),  # no maximum documented
    "llm_temperature": f.number(0, 2),
    "enable_recording": f.flag,
    "direction": f.choice(Direction),
    "who_speaks_first": _SPEAKER,
}
"""``POST /agents`` (create-agent)."""

KNOWLEDGE: dict[str, f.Check] = {
    "description": f.text(min_len=5),
    "initial_message": f.text(min_len=5, max_len=255),
    "interrupt_sensitivity": _SENSITIVITY,
    "ask_if_human_present_on_idle": f.flag,
    "llm_temperature": f.number(0, 2),
    "initial_message_delay": f.number(0, 60),
}
"""``PUT /agents/{id}/knowledge`` (update-agent-knowledge)."""

KNOWLEDGE_REQUIRED = frozenset(KNOWLEDGE) - {"initial_message"}

VOICE: dict[str, f.Check] = {
    "voice_id": f.text(min_len=1),
    # create-agent says 0.1–3.0, the voice page ">1 and <2": the wider range, the server decides.
    "conversation_speed": f.number(0.1, 3.0),
    "who_speaks_first": _SPEAKER,
    "ambient_background": f.text(max_len=255),
    "ambient_volume": f.number(0, 2),
    "language": _LANGUAGE,
    "similarity": f.number(0.5, 1.0),
    "stability": f.number(0.5, 1.0),
}
"""``PUT /agents/{id}/voice`` (update-agent-voice)."""

VOICE_REQUIRED = frozenset({"voice_id", "conversation_speed", "who_speaks_first"})

CALL: dict[str, f.Check] = {
    "to": f.phone,
    "payload": f.mapping,
    "context": f.mapping,
    "delay_seconds": f.integer(0, 3600),
    "is_testing": f.flag,
}
"""``POST /agents/{id}/call`` (make-call); campaign calls share ``to``/``payload``/``context``."""
