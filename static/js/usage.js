// Draws the usage page's spend-by-day chart with Chart.js (static/vendor/), from
// the JSON the server put in #usage-data. Redraws when htmx swaps in a new report.
(function () {
  let chart = null;

  function cssVar(name, fallback) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
  }

  function draw() {
    const canvas = document.getElementById("usage-chart");
    const source = document.getElementById("usage-data");
    if (!canvas || !source || !window.Chart) return;
    const data = JSON.parse(source.textContent);
    if (chart) chart.destroy();
    const text = cssVar("--muted", "#9aa3b2");
    const grid = cssVar("--line", "#2a2f3a");
    chart = new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{
          label: "Credits spent",
          data: data.credits,
          backgroundColor: cssVar("--accent", "#7c5cff"),
          borderRadius: 3,
        }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: window.matchMedia("(prefers-reduced-motion: reduce)").matches ? false : undefined,
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              afterLabel: (item) => `${data.jobs[item.dataIndex]} job(s)`,
            },
          },
        },
        scales: {
          x: { ticks: { color: text, maxRotation: 0, autoSkip: true }, grid: { color: grid } },
          y: { beginAtZero: true, ticks: { color: text }, grid: { color: grid } },
        },
      },
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  // After an htmx swap the canvas may be a new element: draw again when it is.
  document.addEventListener("htmx:afterSettle", () => {
    const canvas = document.getElementById("usage-chart");
    if (canvas && (!chart || chart.canvas !== canvas)) draw();
  });
})();
