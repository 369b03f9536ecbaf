"""Real files for finished sandbox jobs, shaped like the request asked."""

from __future__ import annotations

from typing import Any

from sandbox import media
from sandbox.core import Job, Request, Store, strip_directive


def _seconds(params: dict[str, Any], default: float = 5.0) -> float:
    for key in ("duration", "n_frames", "seconds"):
        raw = params.get(key)
        if raw in (None, ""):
            continue
        try:
            value = float(str(raw).rstrip("s"))
        except ValueError:
            continue
        if key == "n_frames":
            value = value / 25 if value > 30 else value  # n_frames counts frames on some routes
        return max(1.0, min(value, 20.0))  # the longest any doc allows is 20 s
    return default


def _with_audio(params: dict[str, Any]) -> bool:
    """Audio asked for, under either name the providers' docs use (``sound``, ``generate_audio``)."""
    for key in ("sound", "generate_audio"):
        value = params.get(key)
        if value is True or str(value).strip().lower() in {"true", "1", "on", "yes"}:
            return True
    return False


def job_outputs(store: Store, job: Job, request: Request) -> list[str]:
    """Render the job's files once and return their URLs on this sandbox."""
    if job.outputs:
        if job.behaviour.fail == "expired_once" and not job.extra.get("refreshed"):
            job.extra["refreshed"] = True  # the next read gets a fresh, working URL
            job.outputs = []
            job.behaviour.fail = "none"
            return job_outputs(store, job, request)
        return job.outputs
    params = job.params
    prompt = strip_directive(str(params.get("prompt") or params.get("text") or job.model))
    aspect = params.get("aspect_ratio") or params.get("aspectRatio") or params.get("image_size")
    resolution = params.get("resolution")
    scale = job.behaviour.media_scale
    expired = job.behaviour.fail in {"expired", "expired_once"}
    urls = []
    if job.kind == "video":
        width, height = media.aspect_size(str(aspect) if aspect else "16:9", None, base=min(scale, 384))
        seconds = job.behaviour.short or _seconds(params)
        with_audio = _with_audio(params) and not job.behaviour.silent
        data = media.render_video(prompt, seconds, width, height, with_audio=with_audio)
        urls.append(store.add_file("video/mp4", data, "mp4", expired=expired))
    elif job.kind == "audio":
        seconds = job.behaviour.short or _seconds(params, 3.0)
        urls.append(store.add_file("audio/wav", media.render_audio(seconds), "wav", expired=expired))
    elif job.kind == "text" and job.extra.get("transcript"):
        language = str(params.get("language_code") or "en")
        seed = str(params.get("audio_url") or prompt)
        text = media.render_transcript(job.model, _seconds(params, 10.0), language=language, seed=seed).encode()
        urls.append(store.add_file("text/plain; charset=utf-8", text, "txt", expired=expired))
    elif job.kind == "text":
        text = media.render_text(prompt, job.model).encode()
        urls.append(store.add_file("text/plain; charset=utf-8", text, "txt", expired=expired))
    elif job.kind == "zip":
        width, height = media.aspect_size(str(aspect) if aspect else "1:1", resolution, base=scale)
        images = [(f"image-{i + 1}.png", media.render_image(prompt, width, height, seed=i)) for i in range(4)]
        urls.append(store.add_file("application/zip", media.zip_images(images), "zip", expired=expired))
    else:
        width, height = media.aspect_size(str(aspect) if aspect else "1:1", resolution, base=scale)
        data = media.render_image(prompt, width, height, seed=int(params.get("seed") or 0))
        urls.append(store.add_file("image/png", data, "png", expired=expired))
    job.outputs = [request.url_for(f"/files/{token}") for token in urls]
    return job.outputs
