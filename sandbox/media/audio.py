"""Audio: :func:`render_audio` (a WAV from the stdlib ``wave`` module) and the looping tone samples
that video soundtracks reuse."""

from __future__ import annotations

import functools
import io
import math
import sys
import wave
from array import array


@functools.lru_cache(maxsize=16)
def _tone_loop(sample_rate: int, tone_hz: float) -> array:
    """Exactly one second of 16-bit mono audio that loops seamlessly.

    A soft just-intonation major triad (4:5:6) on ``tone_hz`` with a gentle
    "ping" envelope twice a second.  Frequencies are rounded to whole Hz so a
    one-second buffer is an exact period (no clicks when tiled).
    """
    freqs = [round(tone_hz), round(tone_hz * 1.25), round(tone_hz * 1.5)]
    nyquist = sample_rate / 2
    freqs = [f for f in freqs if 0 < f < nyquist] or [max(1, round(min(tone_hz, nyquist / 2)))]
    weights = [1.0, 0.6, 0.45][: len(freqs)]
    total = sum(weights)
    two_pi = 2 * math.pi
    beat = sample_rate // 2  # two pings per second; one second = two whole beats
    attack = max(1, sample_rate // 200)  # 5 ms
    sr = float(sample_rate)
    env = [
        (i / attack if i < attack else 1.0) * (0.30 + 0.70 * math.exp(-5.0 * (i - attack) / sr if i >= attack else 0.0))
        for i in range(beat)
    ]
    out = array("h", bytes(2 * sample_rate))
    amp = 0.5 * 32767 / total
    for i in range(sample_rate):
        t = i / sr
        s = 0.0
        for f, w in zip(freqs, weights, strict=False):
            s += w * math.sin(two_pi * f * t)
        e = env[i % beat] if i < 2 * beat else env[-1]
        out[i] = int(amp * e * s)
    return out


def _tone_samples(n: int, sample_rate: int, tone_hz: float) -> array:
    """n samples of the looping tone with 10 ms fade in/out."""
    loop = _tone_loop(sample_rate, float(tone_hz))
    reps = n // sample_rate + 1
    samples = (loop * reps)[:n]
    fade = min(n // 2, max(1, sample_rate // 100))
    for i in range(fade):
        g = i / fade
        samples[i] = int(samples[i] * g)
        samples[n - 1 - i] = int(samples[n - 1 - i] * g)
    return samples


def render_audio(seconds: float, *, sample_rate: int = 22050, tone_hz: float = 440.0) -> bytes:
    """A mono 16-bit PCM WAV of exactly round(seconds * sample_rate) frames:
    a soft major chord on ``tone_hz`` pinging twice a second, faded in/out."""
    if not (seconds > 0 and math.isfinite(seconds)):
        raise ValueError("seconds must be a positive number")
    if not (8000 <= sample_rate <= 192000):
        raise ValueError("sample_rate must be 8000..192000")
    if not (20.0 <= tone_hz <= 8000.0):
        raise ValueError("tone_hz must be 20..8000")
    n = max(1, round(seconds * sample_rate))
    samples = _tone_samples(n, sample_rate, tone_hz)
    if sys.byteorder != "little":  # WAV/PCM s16 are little-endian
        samples.byteswap()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(samples.tobytes())
    return buf.getvalue()
