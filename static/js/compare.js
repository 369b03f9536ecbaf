// The compare grid's small client side: two images one over the other (a slider, or a toggle between
// them), and the grid's videos played in sync (play, pause and seek all together). Every handler is
// delegated from the document, so cells and sections the poller swaps in work without rebinding.
(() => {
  // --- images: A under B, B clipped from the left up to the slider ------------------------
  function stage() {
    return document.querySelector("[data-slider]");
  }
  function setSplit(percent) {
    const box = stage();
    if (!box) return;
    const b = box.querySelector('[data-slider-img="b"]');
    const line = box.querySelector(".slider-line");
    b.style.clipPath = `inset(0 0 0 ${percent}%)`;
    if (line) line.style.left = `${percent}%`;
  }
  document.addEventListener("input", (event) => {
    const range = event.target.closest("[data-slider-range]");
    if (range) setSplit(Number(range.value));
  });
  document.addEventListener("change", (event) => {
    const pick = event.target.closest("[data-slider-pick]");
    if (!pick) return;
    const img = stage()?.querySelector(`[data-slider-img="${pick.dataset.sliderPick}"]`);
    if (img) img.src = pick.value;
  });
  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-slider-toggle]");
    if (!toggle) return;
    const box = stage();
    if (!box) return;
    const showB = !box.classList.contains("show-b");
    box.classList.toggle("show-b", showB);
    toggle.setAttribute("aria-pressed", String(showB));
    toggle.textContent = showB ? "Show A and B" : "Show B only";
  });

  // --- videos: one plays, pauses or seeks, all do ----------------------------------------
  const DRIFT = 0.25; // seconds apart before a video is moved to the others' position
  function videos() {
    return Array.from(document.querySelectorAll("video[data-sync]"));
  }
  function longest() {
    return Math.max(0, ...videos().map((v) => (Number.isFinite(v.duration) ? v.duration : 0)));
  }
  function seekAll(seconds, except) {
    for (const video of videos()) {
      if (video === except) continue;
      const target = Number.isFinite(video.duration) ? Math.min(seconds, video.duration) : seconds;
      if (Math.abs(video.currentTime - target) > DRIFT) video.currentTime = target;
    }
  }
  function playAll(except) {
    for (const video of videos()) {
      if (video !== except && video.paused) video.play().catch(() => {});
    }
  }
  function pauseAll(except) {
    for (const video of videos()) {
      if (video !== except && !video.paused) video.pause();
    }
  }
  function showState() {
    const bar = document.querySelector("[data-video-sync]");
    if (!bar) return;
    const list = videos();
    const playing = list.some((v) => !v.paused);
    const button = bar.querySelector("[data-sync-play]");
    if (button) {
      button.textContent = playing ? "Pause all" : "Play all";
      button.setAttribute("aria-pressed", String(playing));
    }
    const time = list.length ? list[0].currentTime : 0;
    const seek = bar.querySelector("[data-sync-seek]");
    const total = longest();
    if (seek && total > 0 && document.activeElement !== seek) seek.value = String(Math.round((time / total) * 1000));
    const label = bar.querySelector("[data-sync-time]");
    if (label) label.textContent = `${time.toFixed(1)} s`;
  }
  // Media events do not bubble: listen in the capture phase.
  document.addEventListener("play", (event) => {
    if (!event.target.matches?.("video[data-sync]")) return;
    seekAll(event.target.currentTime, event.target);
    playAll(event.target);
    showState();
  }, true);
  document.addEventListener("pause", (event) => {
    if (!event.target.matches?.("video[data-sync]")) return;
    if (!event.target.ended) pauseAll(event.target);
    showState();
  }, true);
  document.addEventListener("seeked", (event) => {
    if (!event.target.matches?.("video[data-sync]")) return;
    seekAll(event.target.currentTime, event.target);
    showState();
  }, true);
  document.addEventListener("timeupdate", (event) => {
    if (event.target.matches?.("video[data-sync]")) showState();
  }, true);
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-sync-play]")) {
      const list = videos();
      if (list.some((v) => !v.paused)) pauseAll(null);
      else {
        if (list.length) seekAll(list[0].currentTime, list[0]);
        playAll(null);
      }
    } else if (event.target.closest("[data-sync-restart]")) {
      seekAll(0, null);
      for (const video of videos()) video.currentTime = 0;
    }
  });
  document.addEventListener("input", (event) => {
    const seek = event.target.closest("[data-sync-seek]");
    if (!seek) return;
    const seconds = (Number(seek.value) / 1000) * longest();
    for (const video of videos()) {
      video.currentTime = Number.isFinite(video.duration) ? Math.min(seconds, video.duration) : seconds;
    }
    showState();
  });
  window.studioCompare = { videos, seekAll, playAll, pauseAll };
})();
