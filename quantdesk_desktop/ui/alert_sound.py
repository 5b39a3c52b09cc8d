"""The alert sound: a short falling two-tone chime as a 16-bit mono WAV.

`resources/sounds/alert.wav` is this module's output, committed so that the workstation
ships it; `python -m quantdesk_desktop.ui.alert_sound` writes it again after a change
here (a test checks the two agree). No Qt: this only makes the file.
"""

from __future__ import annotations

import io
import math
import sys
import wave
from pathlib import Path

from quantdesk_desktop import paths

RATE = 16_000
"""Samples per second (plenty for tones under 1 kHz, and a small file)."""
TONES = ((880, 0.13), (660, 0.2))
"""(frequency in Hz, seconds) played one after the other."""
PEAK = 12_000
"""The loudest sample (of 32,767): loud enough to hear, not enough to startle."""
FADE_S = 0.012
"""Each tone fades in and out over this long, so that it does not click."""


def sound_file() -> Path:
    """Where the workstation finds the sound."""
    return paths.resources_dir() / "sounds" / "alert.wav"


def alert_wav() -> bytes:
    """The chime as the bytes of a WAV file."""
    samples: list[int] = []
    fade = int(FADE_S * RATE)
    for frequency, seconds in TONES:
        count = int(seconds * RATE)
        for index in range(count):
            envelope = min(1.0, index / fade, (count - 1 - index) / fade)
            value = math.sin(2 * math.pi * frequency * index / RATE)
            samples.append(round(PEAK * envelope * value))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(s.to_bytes(2, "little", signed=True) for s in samples))
    return buffer.getvalue()


def main() -> int:
    """Write `sound_file()`."""
    target = sound_file()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(alert_wav())
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
