// The studio's small client side: which cards are still running (read by the
// one gallery poller), toasts that fade, and browser notifications when allowed.
window.studio = {
  activeIds() {
    return Array.from(document.querySelectorAll('[data-active="true"]')).map((el) => el.dataset.id);
  },
};

function dismissLater(toast) {
  if (toast.dataset.timer) return;
  toast.dataset.timer = "1";
  setTimeout(() => toast.remove(), 6000);
}

document.addEventListener("DOMContentLoaded", () => {
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
