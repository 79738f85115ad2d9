// Puts plotly.js into the page once per browser tab (mlp/ui/plotly_live.py: load_plotly_js).
export default function ({ data }) {
  if (window.Plotly || window.__mlpPlotlyInjected) return;
  window.__mlpPlotlyInjected = true;
  const script = document.createElement("script");
  script.textContent = data.source;
  document.head.appendChild(script);
}
