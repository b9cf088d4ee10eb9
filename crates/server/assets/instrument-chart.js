// Draws an instrument's candlesticks, volume and chosen indicators with the
// vendored Lightweight Charts. Settings come from the #chart element's data
// attributes; data from the JSON API. Chinese colours: red up, green down.
(function () {
  "use strict";
  var el = document.getElementById("chart");
  if (!el || !window.LightweightCharts) return;
  var base = "/api/v1/instruments/" + encodeURIComponent(el.dataset.code);
  var adjust = el.dataset.adjust || "";
  var palette = ["#f08c00", "#1971c2", "#9c36b5", "#0c8599"];
  var up = "#e03131", down = "#2f9e44";
  var layout = { background: { color: "#ffffff" }, textColor: "#1d2433" };

  function get(path, params) {
    var query = new URLSearchParams(params).toString();
    return fetch(base + path + "?" + query, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) return r.json().then(function (e) { throw new Error(e.message || r.status); });
      return r.json();
    });
  }

  function lines(chart, series, skipHist) {
    // MACD's bar as Chinese software draws it (2 x the histogram) replaces TA-Lib's histogram on the chart.
    var barred = series.columns.indexOf("bar") >= 0;
    series.columns.forEach(function (column, i) {
      var data = series.rows.map(function (row) { return { time: row[0], value: row[1][i] }; });
      if (column === "hist" && barred) return;
      if ((column === "hist" || column === "bar") && skipHist) {
        var hist = chart.addHistogramSeries({ priceLineVisible: false, lastValueVisible: false });
        hist.setData(data.map(function (p) { return { time: p.time, value: p.value, color: p.value >= 0 ? up : down }; }));
        return;
      }
      var line = chart.addLineSeries({
        color: palette[i % palette.length], lineWidth: 1, title: column,
        priceLineVisible: false, lastValueVisible: false,
      });
      line.setData(data);
    });
  }

  function draw(bars) {
    var chart = LightweightCharts.createChart(el, {
      height: 420, layout: layout,
      rightPriceScale: { scaleMargins: { top: 0.05, bottom: 0.25 } },
    });
    var candles = chart.addCandlestickSeries({
      upColor: up, downColor: down, borderUpColor: up, borderDownColor: down, wickUpColor: up, wickDownColor: down,
    });
    candles.setData(bars.map(function (b) {
      return { time: b.date, open: +b.open, high: +b.high, low: +b.low, close: +b.close };
    }));
    var volume = chart.addHistogramSeries({ priceScaleId: "volume", priceFormat: { type: "volume" }, lastValueVisible: false });
    chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    volume.setData(bars.map(function (b) {
      return { time: b.date, value: +b.volume, color: +b.close >= +b.open ? up + "80" : down + "80" };
    }));
    chart.timeScale().fitContent();
    return chart;
  }

  get("/bars", { adjust: adjust }).then(function (bars) {
    var chart = draw(bars);
    var pending = [];
    if (el.dataset.overlay) {
      pending.push(get("/indicators", { name: el.dataset.overlay, params: el.dataset.overlayParams || "", adjust: adjust })
        .then(function (s) { lines(chart, s, false); }));
    }
    var oscEl = document.getElementById("oscillator");
    if (oscEl && el.dataset.oscillator) {
      pending.push(get("/indicators", { name: el.dataset.oscillator, params: el.dataset.oscillatorParams || "", adjust: adjust })
        .then(function (s) {
          var osc = LightweightCharts.createChart(oscEl, { height: 180, layout: layout });
          lines(osc, s, true);
          osc.timeScale().fitContent();
          chart.timeScale().subscribeVisibleTimeRangeChange(function (range) {
            if (range) osc.timeScale().setVisibleRange(range);
          });
        }));
    }
    return Promise.all(pending);
  }).then(function () {
    el.dataset.drawn = "true";
  }).catch(function (e) {
    el.dataset.error = String(e.message || e);
    el.textContent = String(e.message || e);
  });
})();
