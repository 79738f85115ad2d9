// Puts plotly.js and the live chart's code into the page once per browser tab (mlp/ui/plotly_live.py:
// load_plotly_js); the chart's code in a scope of its own, publishing only window.mlpLiveChart.
export default function ({ data }) {
  if (window.Plotly || window.__mlpPlotlyInjected) return;
  window.__mlpPlotlyInjected = true;
  const script = document.createElement("script");
  script.textContent = data.source + "\n;(() => {\n" + data.chart + "\n})();\n";
  document.head.appendChild(script);
}
