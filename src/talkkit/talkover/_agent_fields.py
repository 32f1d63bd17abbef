"""
The fields of agent requests (create-agent, knowledge, voice, calling), each declared once.

`Agents` uses these aliases in its signatures: a field that create-agent and the knowledge or
voice page share is one alias (``Speaker | None`` where it is optional).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from talkkit.talkover._fields import (
    LANGUAGES,
    Doc,
    Field,
    choice,
    flag,
    integer,
    number,
    strings,
    text,
)
from talkkit.talkover.types import Direction, InterruptSensitivity, Language, WhoSpeaksFirst

__all__ = [
    "AgentDirection",
    "AgentLanguage",
    "AmbientBackground",
    "AmbientVolume",
    "AskIfHuman",
    "Description",
    "EnableRecording",
    "EndpointingSensitivity",
    "IdleTime",
    "InitialIdleTime",
    "InitialMaxIdleChecks",
    "InitialMessage",
    "IvrNavigationMode",
    "Label",
    "MaxCallDuration",
    "MaxIdleChecks",
    "MessageDelay",
    "Name",
    "PhoneNumberIds",
    "SayGoodbye",
    "Sensitivity",
    "Similarity",
    "Speaker",
    "Speed",
    "Stability",
    "Temperature",
    "UserInactivityTimeout",
    "VoiceId",
]

# Shared by create-agent and the knowledge, voice or calling pages (required on the latter).
Sensitivity = Annotated[
    InterruptSensitivity | str,
    Doc("``low``, ``medium`` or ``high``."),
    Field(choice(InterruptSensitivity)),
]
AskIfHuman = Annotated[bool, Doc('Ask "are you there?" when the line goes quiet.'), Field(flag)]
Temperature = Annotated[float, Doc("The LLM temperature, 0 to 2."), Field(number(0, 2))]
MessageDelay = Annotated[
    float, Doc("Seconds before the first message, 0 to 60."), Field(number(0, 60))
]
# create-agent says 0.1–3.0, the voice page ">1 and <2": the wider range, the server decides.
Speed = Annotated[
    float, Doc("0.1 to 3.0 (the voice page says above 1 and below 2)."), Field(number(0.1, 3.0))
]
Speaker = Annotated[
    WhoSpeaksFirst | str, Doc("``agent`` or ``user``."), Field(choice(WhoSpeaksFirst))
]
AgentLanguage = Annotated[
    Language | str | None,
    Doc("One of create-agent's languages (``en-US``, ``pt-BR``…)."),
    Field(choice(LANGUAGES)),
]
AgentDirection = Annotated[
    Direction | str, Doc("``inbound`` or ``outbound``."), Field(choice(Direction))
]

# create-agent only.
Name = Annotated[str, Doc("At most 255 characters."), Field(text(min_len=1, max_len=255))]
Label = Annotated[str | None, Doc("At most 255 characters."), Field(text(max_len=255))]
Description = Annotated[str | None, Doc("What the agent is for."), Field(text())]
InitialMessage = Annotated[str | None, Doc("What the agent says first."), Field(text())]
EndpointingSensitivity = Annotated[
    str | None, Doc("E.g. ``auto``; at most 255 characters."), Field(text(max_len=255))
]
IvrNavigationMode = Annotated[
    str | None, Doc("E.g. ``off``; at most 255 characters."), Field(text(max_len=255))
]
IdleTime = Annotated[int | None, Doc("1 to 60 seconds."), Field(integer(1, 60))]
MaxIdleChecks = Annotated[
    int | None, Doc("1 to 10 (inferred name)."), Field(integer(1, 10))  # INFERRED name
]
MaxCallDuration = Annotated[int | None, Doc("1 to 3600 seconds."), Field(integer(1, 3600))]
SayGoodbye = Annotated[
    bool | None, Doc("Say goodbye when the maximum duration is reached."), Field(flag)
]
UserInactivityTimeout = Annotated[int | None, Doc("5 to 120 seconds."), Field(integer(5, 120))]
InitialIdleTime = Annotated[int | None, Doc("1 to 60 seconds."), Field(integer(1, 60))]
InitialMaxIdleChecks = Annotated[
    int | None, Doc("At least 1 (no maximum documented)."), Field(integer(1))
]
EnableRecording = Annotated[bool | None, Doc("Record the agent's calls."), Field(flag)]

# The voice page only.
VoiceId = Annotated[
    str, Doc("A voice template id (`VoiceTemplates.list`)."), Field(text(min_len=1))
]
AmbientBackground = Annotated[
    str | None, Doc("E.g. ``office``, ``cafe``, ``quiet``."), Field(text(max_len=255))
]
AmbientVolume = Annotated[float | None, Doc("0 to 2 (server default 1)."), Field(number(0, 2))]
Similarity = Annotated[
    float | None,
    Doc("0.5 to 1.0, high-fidelity templates only (returned as ``voice.similarity_boost``)."),
    Field(number(0.5, 1.0)),
]
Stability = Annotated[
    float | None, Doc("0.5 to 1.0, high-fidelity templates only."), Field(number(0.5, 1.0))
]

# The calling page only.
PhoneNumberIds = Annotated[
    Sequence[str] | None,
    Doc("Ids from `PhoneNumbers.list`; ``[]`` unlinks them all."),
    Field(strings()),
]
