// The live chart component's module, sent with every chart on every rerun: kept tiny. The chart's
// code (plotly_live.js) came once with plotly.js (plotly_loader.js) as window.mlpLiveChart; until it
// has run, wait for it. Returns the chart's cleanup, as Streamlit expects.
export default function (args) {
  if (window.mlpLiveChart) return window.mlpLiveChart(args);
  let cleanup = null, gone = false;
  const started = performance.now();
  const wait = () => {
    if (gone) return;
    if (window.mlpLiveChart) cleanup = window.mlpLiveChart(args);
    else if (performance.now() - started < 20000) requestAnimationFrame(wait);
  };
  requestAnimationFrame(wait);
  return () => { gone = true; if (cleanup) cleanup(); };
}
