// The studio's small client side: which cards are still running (read by the one
// gallery poller), their elapsed time and estimated progress between polls, video
// previews on hover, copy buttons, confirmations, toasts that fade, and browser
// notifications when allowed, and the lengths of picked media files for the live price.
window.studio = {
  activeIds() {
    return Array.from(document.querySelectorAll('.card[data-active="true"]')).map((el) => el.dataset.id);
  },
  // What the poller sends: each running card with the version it shows, so unchanged cards are not resent.
  pollIds() {
    return Array.from(document.querySelectorAll('.card[data-active="true"]')).map(
      (el) => `${el.dataset.id}:${el.dataset.version || ""}`,
    );
  },
  // The team's cards stamp the last poll was answered with (generations/cardstate.py): sent back, it
  // lets the server answer "nothing changed" without reading a card. "" asks for a full check.
  cardsStamp: "",
};

// Any other request may have put cards on the page as they were at another moment (a new job, the
// next page, a card redrawn), so it makes the page forget its stamp; a poll that overlapped such a
// request does not keep the stamp it got.
// The poller asks only while a card is running, and sends which ones: set here rather than in
// hx-trigger filters or hx-vals="js:", which htmx would have to eval (the CSP allows no eval).
let otherRequestsDone = 0;
document.addEventListener("htmx:configRequest", (event) => {
  const poller = event.detail.elt;
  if (poller.id !== "poller") return;
  if (studio.activeIds().length === 0) {
    event.preventDefault();
    return;
  }
  event.detail.parameters.ids = studio.pollIds().join(",");
  event.detail.headers["X-Cards-Stamp"] = studio.cardsStamp || `${poller.dataset.team}.`;
  poller.studioOthersBefore = otherRequestsDone;
});
document.addEventListener("htmx:afterRequest", (event) => {
  const elt = event.detail.elt;
  if (elt.id !== "poller") {
    otherRequestsDone += 1;
    studio.cardsStamp = "";
    return;
  }
  const clean = event.detail.successful && elt.studioOthersBefore === otherRequestsDone;
  studio.cardsStamp = clean ? event.detail.xhr.getResponseHeader("X-Cards-Stamp") || "" : "";
});
document.addEventListener("htmx:historyRestore", () => {
  studio.cardsStamp = "";
});

function dismissLater(toast) {
  if (toast.dataset.timer) return;
  toast.dataset.timer = "1";
  setTimeout(() => toast.remove(), 6000);
}

// A toast when a card this page saw unfinished comes back finished, whichever request brought it
// (the poll, a refreshed page of results, a filter): the page, not one answer, knows what it showed.
const seenUnfinished = new Set();
function toastFinished(card) {
  const status = card.dataset.status;
  if (status !== "completed" && status !== "failed") return; // a cancel is confirmed by its own message
  const toasts = document.getElementById("toasts");
  if (!toasts) return;
  const title = card.dataset.title || "Generation";
  const error = status === "failed" ? card.querySelector(".card-error")?.textContent.trim() : "";
  const toast = document.createElement("div");
  toast.className = `toast toast-${status === "completed" ? "success" : "error"}`;
  toast.setAttribute("role", "status");
  toast.dataset.notify = `${title} ${status}`;
  toast.textContent = `${title}: ${status}${error ? ` — ${error}` : ""}`;
  toasts.append(toast);
}
function noteCards(root) {
  if (!(root instanceof Element)) return;
  const cards = root.matches(".card[data-id]") ? [root] : root.querySelectorAll(".card[data-id]");
  for (const card of cards) {
    if (card.dataset.active === "true") seenUnfinished.add(card.dataset.id);
    else if (seenUnfinished.delete(card.dataset.id)) toastFinished(card);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  noteCards(document.body);
  new MutationObserver((changes) => {
    for (const change of changes) change.addedNodes.forEach(noteCards);
  }).observe(document.body, { childList: true, subtree: true });
  document.querySelectorAll(".toast").forEach(dismissLater);
  const toasts = document.getElementById("toasts");
  if (!toasts) return;
  new MutationObserver((changes) => {
    for (const change of changes) {
      change.addedNodes.forEach((node) => {
        if (!(node instanceof HTMLElement)) return;
        const toast = node.classList.contains("toast") ? node : node.querySelector(".toast");
        if (!toast) return;
        dismissLater(toast);
        if (toast.dataset.notify && "Notification" in window && Notification.permission === "granted" && document.hidden) {
          new Notification("Studio", { body: toast.dataset.notify });
        }
      });
    }
  }).observe(toasts, { childList: true, subtree: true });
});

// Ask for notification permission on the first submit (a user gesture), never on load.
document.addEventListener("submit", () => {
  if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
}, { once: true });

// Elapsed time and, where the provider gives no progress, the estimated bar: ticked locally each
// second from the server's numbers, so the poll only has to send cards whose state changed.
function formatElapsed(seconds) {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
}

// The server's clock minus ours, so a card's age does not depend on this computer's clock being right.
let clockSkew = null;

function elapsedSeconds(el, now) {
  if (el.dataset.created) {
    if (clockSkew === null) {
      const stamp = document.querySelector("[data-server-now]");
      clockSkew = stamp ? Number(stamp.dataset.serverNow) * 1000 - Date.now() : 0;
    }
    return Math.floor((Date.now() + clockSkew - Number(el.dataset.created) * 1000) / 1000);
  }
  if (el.studioStart === undefined) el.studioStart = now - Number(el.dataset.elapsed || 0) * 1000;
  return Math.floor((now - el.studioStart) / 1000);
}

// What is left, from the offer's usual time (the studio's live median where it has one) and its 95th percentile.
function etaText(seconds, typical, p95) {
  if (seconds < typical) return `about ${formatElapsed(typical - seconds)} left`;
  if (seconds < Math.max(p95, typical * 1.5)) return "any moment now";
  return "taking longer than usual";
}

function tick() {
  const now = performance.now();
  document.querySelectorAll('[data-active="true"][data-created], [data-active="true"][data-elapsed]').forEach((el) => {
    const seconds = Math.max(0, elapsedSeconds(el, now));
    const text = el.querySelector("[data-elapsed-text]");
    if (text) text.textContent = formatElapsed(seconds);
    const eta = el.querySelector("[data-eta-text]");
    if (eta) eta.textContent = etaText(seconds, Number(el.dataset.typical) || 60, Number(el.dataset.p95) || 0);
    if (el.dataset.estimate === "true") {
      const bar = el.querySelector("[data-progress]");
      const typical = Number(el.dataset.typical) || 60;
      if (bar) {
        const value = Math.min(95, Math.floor((seconds * 100) / typical));
        bar.value = value;
        bar.textContent = `${value}%`;
      }
    }
  });
}
setInterval(tick, 1000);
document.addEventListener("DOMContentLoaded", tick);
document.addEventListener("htmx:afterSettle", tick);
document.addEventListener("htmx:oobAfterSwap", tick);

// Video cards: the poster plays (muted) while the pointer or the focus is on the card; the play
// button does the same for touch screens and keyboards.
function setPreview(card, playing) {
  const video = card && card.querySelector("video[data-preview]");
  if (!video) return;
  const button = card.querySelector("[data-play]");
  if (playing) {
    video.play().catch(() => {});
  } else {
    video.pause();
  }
  if (button) {
    button.setAttribute("aria-pressed", String(playing));
    button.setAttribute("aria-label", playing ? "Pause preview" : "Play preview");
    button.textContent = playing ? "❚❚" : "▶";
  }
}

function cardOf(node) {
  return node instanceof Element ? node.closest(".card") : null;
}

document.addEventListener("pointerover", (event) => {
  if (event.pointerType === "touch") return;
  const card = cardOf(event.target);
  if (card && !card.contains(event.relatedTarget)) setPreview(card, true);
});
document.addEventListener("pointerout", (event) => {
  if (event.pointerType === "touch") return;
  const card = cardOf(event.target);
  if (card && !card.contains(event.relatedTarget)) setPreview(card, false);
});
document.addEventListener("focusin", (event) => {
  if (event.target.matches && event.target.matches(".card-link")) setPreview(cardOf(event.target), true);
});
document.addEventListener("focusout", (event) => {
  if (event.target.matches && event.target.matches(".card-link")) setPreview(cardOf(event.target), false);
});

document.addEventListener("click", (event) => {
  const play = event.target instanceof Element && event.target.closest("[data-play]");
  if (play) {
    const video = cardOf(play).querySelector("video[data-preview]");
    setPreview(cardOf(play), video.paused);
    return;
  }
  const copy = event.target instanceof Element && event.target.closest("[data-copy]");
  if (copy) {
    const source = document.querySelector(copy.dataset.copy);
    if (!source) return;
    const text = (source instanceof HTMLInputElement ? source.value : source.innerText).trim();
    const done = () => {
      const label = copy.textContent;
      copy.textContent = "Copied";
      setTimeout(() => { copy.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => fallbackCopy(text) && done());
    } else if (fallbackCopy(text)) {
      done();
    }
  }
});

function fallbackCopy(text) {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand("copy");
  } catch (error) {
    ok = false;
  }
  area.remove();
  return ok;
}

// Forms that destroy something ask first.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);

// A job submitted from the composer lands at the top of the gallery: on a small screen, where the
// composer sits below the gallery, bring the new card into view.
document.addEventListener("htmx:afterSwap", (event) => {
  const target = event.detail.target;
  if (!target || target.id !== "cards" || !window.matchMedia("(max-width: 820px)").matches) return;
  if (event.detail.requestConfig && event.detail.requestConfig.verb === "post") {
    const card = target.querySelector(".card");
    if (card) card.scrollIntoView({ block: "center" });
  }
});

// Offers priced per second of the user's media: the browser reads each picked file's (or typed URL's)
// length from its metadata and sends the totals with the live quote, as an estimate only. Submitting
// measures the files themselves on the server.
const MEDIA_EXTENSIONS = { video: /\.(mp4|mov|webm|m4v)$/i, audio: /\.(mp3|wav|m4a|aac|ogg|flac)$/i };

function mediaKind(name, type) {
  if (type && type.startsWith("video/")) return "video";
  if (type && type.startsWith("audio/")) return "audio";
  const path = name.split(/[?#]/)[0];
  return Object.keys(MEDIA_EXTENSIONS).find((kind) => MEDIA_EXTENSIONS[kind].test(path)) || null;
}

function mediaSeconds(src) {
  return new Promise((resolve) => {
    const media = document.createElement("video"); // reads audio files too
    const done = (seconds) => {
      clearTimeout(timer);
      media.removeAttribute("src");
      resolve(seconds);
    };
    const timer = setTimeout(() => done(null), 15000);
    media.preload = "metadata";
    media.muted = true;
    media.onloadedmetadata = () => done(Number.isFinite(media.duration) ? media.duration : null);
    media.onerror = () => done(null);
    media.src = src;
  });
}

async function measureMedia(hint) {
  const box = hint.closest("[data-field]");
  const run = (hint.measureRun = (hint.measureRun || 0) + 1);
  const items = [];
  const picker = box.querySelector('input[type="file"]');
  for (const file of picker ? picker.files : []) items.push({ kind: mediaKind(file.name, file.type), file });
  const typed = box.querySelector(`[name="${hint.dataset.measureFor}"]`);
  for (const line of (typed ? typed.value : "").split(/[\n,]/)) {
    const url = line.trim();
    if (/^https?:\/\//i.test(url)) items.push({ kind: mediaKind(url, ""), url });
  }
  const totals = {};
  const unknown = new Set();
  for (const item of items) {
    if (item.kind !== "video" && item.kind !== "audio") continue;
    const src = item.file ? URL.createObjectURL(item.file) : item.url;
    const seconds = await mediaSeconds(src);
    if (item.file) URL.revokeObjectURL(src);
    if (seconds === null) unknown.add(item.kind);
    else totals[item.kind] = (totals[item.kind] || 0) + seconds;
  }
  if (run !== hint.measureRun) return; // a newer pick is being measured
  unknown.forEach((kind) => delete totals[kind]); // a partial total would quote too little
  const value = Object.keys(totals).length ? JSON.stringify(totals) : "";
  if (value === hint.value) return;
  hint.value = value;
  hint.dispatchEvent(new Event("input", { bubbles: true })); // the price asks again
}

document.addEventListener("change", (event) => {
  const box = event.target instanceof Element && event.target.closest("[data-field]");
  const hint = box && box.querySelector("[data-measure-for]");
  if (hint && event.target !== hint) measureMedia(hint);
});
// A composer drawn with a URL in place (use as source, remix) measures it at once.
document.addEventListener("htmx:load", (event) => {
  const root = event.detail.elt;
  if (!(root instanceof Element)) return;
  root.querySelectorAll("[data-measure-for]").forEach((hint) => {
    const typed = hint.closest("[data-field]").querySelector(`[name="${hint.dataset.measureFor}"]`);
    if (typed && typed.value.trim()) measureMedia(hint);
  });
});

// Behaviour that would otherwise sit in inline handlers and style attributes, which the
// Content-Security-Policy refuses: a file picker writes the picked names where the live quote reads
// them, the team switcher submits on change, the invite link selects
// itself on focus, usage share bars take their width from data-share, and a change in the composer
// re-quotes the price unless it swaps the whole composer (hx-trigger="studio:requote").
document.addEventListener("change", (event) => {
  const target = event.target;
  if (!(target instanceof Element)) return;
  if (target instanceof HTMLInputElement && target.dataset.namesInto) {
    const names = document.getElementById(target.dataset.namesInto);
    if (names) names.value = JSON.stringify(Array.from(target.files || [], (file) => file.name));
  }
  if (target.matches("[data-submit-on-change]") && target.form) {
    target.form.requestSubmit();
    return;
  }
  const form = target.closest("form");
  if (form && !target.dataset.composerSwap && form.querySelector("#price")) {
    form.dispatchEvent(new CustomEvent("studio:requote"));
  }
});
document.addEventListener("focusin", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.matches("[data-select-on-focus]")) event.target.select();
});

function drawShares(root) {
  root.querySelectorAll("[data-share]").forEach((bar) => {
    const share = Math.max(0, Math.min(100, Number(bar.dataset.share) || 0));
    bar.style.width = `${share}%`;
  });
}
document.addEventListener("DOMContentLoaded", () => drawShares(document));
document.addEventListener("htmx:load", (event) => {
  if (event.detail.elt instanceof Element) drawShares(event.detail.elt);
});
