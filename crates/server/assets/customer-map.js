// The customer map: drag across the scatter plot to choose a region. The
// region's bounds, in the features' own units, go into the segment form
// (where they can also be typed); the points inside are highlighted and
// counted. The plot's own attributes say how pixels map to values.
(function () {
  var svg = document.getElementById('customer-map');
  var form = document.getElementById('segment-form');
  if (!svg || !form) return;
  var d = svg.dataset;
  var plot = { left: +d.left, right: +d.right, top: +d.top, bottom: +d.bottom };
  var x = { lo: +d.xLo, hi: +d.xHi, log: d.xLog === 'true' };
  var y = { lo: +d.yLo, hi: +d.yHi, log: d.yLog === 'true' };
  var box = document.getElementById('map-selection');
  var count = document.getElementById('map-selected');

  // Pixels to a feature's value, through the log when the axis is logarithmic.
  function value(axis, t) {
    var v = axis.lo + (axis.hi - axis.lo) * t;
    return axis.log ? Math.pow(10, v) - 1 : v;
  }
  function point(event) {
    var p = svg.createSVGPoint();
    p.x = event.clientX; p.y = event.clientY;
    var local = p.matrixTransform(svg.getScreenCTM().inverse());
    return {
      x: Math.min(Math.max(local.x, plot.left), plot.right),
      y: Math.min(Math.max(local.y, plot.top), plot.bottom)
    };
  }
  var start = null;
  function show(a, b) {
    var x0 = Math.min(a.x, b.x), x1 = Math.max(a.x, b.x), y0 = Math.min(a.y, b.y), y1 = Math.max(a.y, b.y);
    box.setAttribute('x', x0); box.setAttribute('y', y0);
    box.setAttribute('width', x1 - x0); box.setAttribute('height', y1 - y0);
    box.setAttribute('visibility', 'visible');
    var xs = [value(x, (x0 - plot.left) / (plot.right - plot.left)), value(x, (x1 - plot.left) / (plot.right - plot.left))];
    var ys = [value(y, (plot.bottom - y1) / (plot.bottom - plot.top)), value(y, (plot.bottom - y0) / (plot.bottom - plot.top))];
    form.elements.x_min.value = xs[0].toPrecision(6);
    form.elements.x_max.value = xs[1].toPrecision(6);
    form.elements.y_min.value = ys[0].toPrecision(6);
    form.elements.y_max.value = ys[1].toPrecision(6);
    mark();
  }
  // Highlights the points inside the bounds in the form, and counts them.
  function mark() {
    var b = ['x_min', 'x_max', 'y_min', 'y_max'].map(function (n) { return parseFloat(form.elements[n].value); });
    var n = 0;
    svg.querySelectorAll('circle[data-x]').forEach(function (c) {
      var px = +c.dataset.x, py = +c.dataset.y;
      var inside = px >= b[0] && px <= b[1] && py >= b[2] && py <= b[3];
      c.classList.toggle('chosen', inside);
      if (inside) n++;
    });
    count.textContent = n;
  }
  svg.addEventListener('mousedown', function (e) { start = point(e); e.preventDefault(); });
  svg.addEventListener('mousemove', function (e) { if (start) show(start, point(e)); });
  window.addEventListener('mouseup', function (e) { if (start) { show(start, point(e)); start = null; } });
  ['x_min', 'x_max', 'y_min', 'y_max'].forEach(function (n) { form.elements[n].addEventListener('input', mark); });
})();
