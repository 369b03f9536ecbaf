"""Text: :func:`render_text` (a chat answer that quotes the prompt and its keywords) and
:func:`render_transcript` (a timestamped speech-to-text answer)."""

from __future__ import annotations

import re

from sandbox.media._common import _fmt_time, _rng

_STOPWORDS = frozenset(
    """a an and are as at be but by for from has have how i in into is it its me my of on or our so
    that the their them then there these this those to was we were what when where which who why will
    with you your please write make create give generate show tell about can could would should""".split()  # noqa: SIM905
)


def _keywords(prompt: str, k: int = 3) -> list[str]:
    words = re.findall(r"[A-Za-zÀ-ÿ][A-Za-zÀ-ÿ'-]{2,}", prompt)
    seen: dict[str, str] = {}
    for w in words:
        lw = w.lower()
        if lw not in _STOPWORDS and lw not in seen:
            seen[lw] = w
    ranked = sorted(seen.values(), key=lambda w: (-len(w), w.lower()))
    return ranked[:k]


def render_text(prompt: str, model: str) -> str:
    """A deterministic, plausible-looking text answer that quotes the prompt."""
    rng = _rng("text", model, prompt)
    clean = " ".join(prompt.split())
    shown = clean if len(clean) <= 300 else clean[:297].rstrip() + "…"
    keys = _keywords(clean)
    if not keys:
        topic = "your request"
    elif len(keys) == 1:
        topic = f"“{keys[0]}”"
    else:
        topic = ", ".join(f"“{k}”" for k in keys[:-1]) + f" and “{keys[-1]}”"

    openers = [
        f"Here's a response to your prompt about {topic}.",
        f"Sure — let's look at {topic}.",
        f"Great question. Below is a short take on {topic}.",
        f"Thanks for the prompt. Here is what I can say about {topic}.",
    ]
    middles = [
        (
            "The core idea is to start from what is already known, state the goal plainly, and then "
            "work through the details one step at a time so that each part can be checked on its own."
        ),
        (
            "A good approach is to break the problem into smaller pieces, handle the simplest case first, "
            "and only then add the edge cases and refinements that make the result robust."
        ),
        (
            "It helps to be explicit about assumptions: what the inputs look like, what a good outcome "
            "would be, and which trade-offs (speed, cost, quality) matter most here."
        ),
    ]
    points = [
        "Clarify the goal and the audience.",
        "Gather the key facts and constraints.",
        "Draft a first version quickly.",
        "Review it against the original request.",
        "Iterate on the weakest part.",
        "Keep the final answer short and concrete.",
    ]
    rng.shuffle(points)
    closers = [
        "Let me know if you'd like more detail on any of these points.",
        "Happy to expand on any part of this or try a different angle.",
        "If you share more context, I can tailor this further.",
    ]
    bullet_lines = "\n".join(f"{i}. {p}" for i, p in enumerate(points[: rng.randint(3, 4)], 1))
    return (
        f"{rng.choice(openers)}\n\n"
        f"> {shown}\n\n"
        f"{rng.choice(middles)}\n\n"
        f"{bullet_lines}\n\n"
        f"{rng.choice(closers)}\n\n"
        f"_(Sandbox output from model “{model}” — generated locally, no provider was called.)_"
    )


TRANSCRIPT_LINES = [
    "Thanks for joining, let's get started.",
    "The first thing to look at is the schedule for next week.",
    "We moved the review to Thursday morning.",
    "Can everyone check the shared folder before then?",
    "I'll send a short summary after this call.",
    "That's everything from my side.",
]


def render_transcript(model: str, seconds: float, *, language: str = "en", seed: str = "") -> str:
    """A speech-to-text answer: timestamped lines covering ``seconds`` of audio, deterministic per seed."""
    rng = _rng("transcript", model, seed)
    lines = TRANSCRIPT_LINES[:]
    rng.shuffle(lines)
    count = max(1, min(len(lines), int(seconds // 3) or 1))
    step = seconds / count
    body = "\n".join(f"[{_fmt_time(i * step)}] Speaker {1 + i % 2}: {line}" for i, line in enumerate(lines[:count]))
    return f"{body}\n\n(language: {language}; sandbox transcript from “{model}”, no provider was called)"
