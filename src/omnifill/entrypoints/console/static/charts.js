// Draws every chart a desk page declares: <div data-chart='{"data": [...], "layout": {...}}'>.
// Plotly comes from /console/vendor/plotly.min.js, never from the internet.
for (const element of document.querySelectorAll("[data-chart]")) {
  const chart = JSON.parse(element.dataset.chart);
  Plotly.newPlot(element, chart.data, chart.layout, {displaylogo: false, responsive: true});
}
