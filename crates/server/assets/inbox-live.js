// Adds messages to a customer's inbox as the server pushes them over a
// WebSocket (/inbox/live); reconnects after a drop and then reloads, so
// nothing delivered meanwhile is missed. Opening a message counts it read.
(function () {
  var list = document.getElementById("inbox");
  if (!list) return;
  var status = document.getElementById("inbox-status");
  var none = document.getElementById("inbox-none");
  var lang = list.dataset.lang;
  var opened = false;

  function add(m) {
    if (document.getElementById("message-" + m.id)) return; // already shown
    var li = document.createElement("li");
    li.className = "message unread fresh";
    li.id = "message-" + m.id;
    var details = document.createElement("details");
    details.setAttribute("hx-post", "/inbox/" + m.id + "/read?lang=" + lang);
    details.setAttribute("hx-trigger", "toggle once");
    details.setAttribute("hx-swap", "none");
    var summary = document.createElement("summary");
    [["when", m.time], ["kind", m.kind], ["title", m.title], ["sender", "— " + m.sender]].forEach(function (part) {
      var span = document.createElement(part[0] === "kind" ? "strong" : "span");
      span.className = part[0];
      span.textContent = part[1];
      summary.appendChild(span);
      summary.appendChild(document.createTextNode(" "));
    });
    var body = document.createElement("pre");
    body.className = "body";
    body.textContent = m.body;
    details.appendChild(summary);
    details.appendChild(body);
    li.appendChild(details);
    list.insertBefore(li, list.firstChild);
    if (window.htmx) window.htmx.process(li);
    if (none) none.hidden = true;
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/inbox/live?lang=" + lang);
    socket.onopen = function () {
      if (opened) { location.reload(); return; } // after a drop: catch up from the database
      opened = true;
      status.textContent = list.dataset.live;
      status.className = "live on";
    };
    socket.onmessage = function (message) {
      var m = JSON.parse(message.data);
      if (m.reload) { location.reload(); return; }
      add(m);
    };
    socket.onclose = function () {
      status.textContent = list.dataset.offline;
      status.className = "live off";
      setTimeout(connect, 3000);
    };
  }
  connect();
})();
