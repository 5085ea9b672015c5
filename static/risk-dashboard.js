// Draws the risk dashboard's charts from the JSON the page carries: warnings by level (pie),
// by day (lines per level), by indicator, bank, region, product and organisation (bars stacked
// by level) and the funds (size against use). Canvas, so a screenshot shows what was drawn.
(function () {
  "use strict";
  var COLOURS = { yellow: "#e6b800", orange: "#f07c00", red: "#d62728" };
  function stacked(rows, line) {
    var names = rows.map(function (r) { return r.label || r.key; });
    return {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { data: ["黄 yellow", "橙 orange", "红 red"] },
      grid: { left: 50, right: 20, top: 30, bottom: 70 },
      xAxis: { type: "category", data: names, axisLabel: { rotate: 30 } },
      yAxis: { type: "value", minInterval: 1 },
      series: ["yellow", "orange", "red"].map(function (level, i) {
        return {
          name: ["黄 yellow", "橙 orange", "红 red"][i],
          type: line ? "line" : "bar",
          stack: line ? undefined : "levels",
          itemStyle: { color: COLOURS[level] },
          lineStyle: { color: COLOURS[level] },
          data: rows.map(function (r) { return r[level]; })
        };
      })
    };
  }
  function draw() {
    var source = document.getElementById("risk-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll(".chart").forEach(function (el) {
      var name = el.getAttribute("data-chart");
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      if (name === "by_level") {
        chart.setOption({
          animation: false,
          tooltip: {},
          series: [{
            type: "pie", radius: "65%",
            data: data.by_level.map(function (s, i) {
              return { name: s.name, value: s.value, itemStyle: { color: [COLOURS.yellow, COLOURS.orange, COLOURS.red][i] } };
            })
          }]
        });
      } else if (name === "funds") {
        chart.setOption({
          animation: false,
          tooltip: { trigger: "axis" },
          legend: { data: ["规模 size", "已用 used"] },
          grid: { left: 90, right: 20, top: 30, bottom: 90 },
          xAxis: { type: "category", data: data.funds.map(function (f) { return f.name_zh; }), axisLabel: { rotate: 20 } },
          yAxis: { type: "value", name: "元" },
          series: [
            { name: "规模 size", type: "bar", data: data.funds.map(function (f) { return f.size_fen / 100; }) },
            { name: "已用 used", type: "bar", data: data.funds.map(function (f) { return f.used_fen / 100; }) }
          ]
        });
      } else {
        chart.setOption(stacked(data[name] || [], name === "by_time"));
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
