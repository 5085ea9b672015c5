// Draws the crowdsourcing statistics page's charts from the JSON the page carries.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("statistics");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll(".chart").forEach(function (el) {
      var buckets = data[el.getAttribute("data-chart")] || [];
      var amount = el.getAttribute("data-value") === "amount";
      var values = buckets.map(function (b) {
        return { name: b.label || b.key || "—", value: amount ? b.amount_fen / 100 : b.count };
      });
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      if (el.getAttribute("data-kind") === "pie") {
        chart.setOption({ animation: false, tooltip: {}, series: [{ type: "pie", radius: "65%", data: values }] });
      } else if (el.getAttribute("data-kind") === "line") {
        chart.setOption({
          animation: false,
          tooltip: { trigger: "axis" },
          grid: { left: 80, right: 20, top: 20, bottom: 60 },
          xAxis: { type: "category", data: values.map(function (v) { return v.name; }) },
          yAxis: { type: "value" },
          series: [{ type: "line", data: values.map(function (v) { return v.value; }) }]
        });
      } else {
        chart.setOption({
          animation: false,
          tooltip: {},
          grid: { left: 60, right: 20, top: 20, bottom: 60 },
          xAxis: { type: "category", data: values.map(function (v) { return v.name; }), axisLabel: { rotate: 30 } },
          yAxis: { type: "value" },
          series: [{ type: "bar", data: values.map(function (v) { return v.value; }) }]
        });
      }
    });
    document.body.setAttribute("data-charts", "drawn");
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
