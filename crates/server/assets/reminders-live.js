// Adds reminders to the page's list as the server pushes them over a
// WebSocket (/reminders/live); reconnects after a drop and then reloads, so
// nothing made meanwhile is missed.
(function () {
  var list = document.getElementById("reminders");
  if (!list) return;
  var status = document.getElementById("reminders-status");
  var none = document.getElementById("reminders-none");
  var lang = list.dataset.lang;
  var opened = false;

  function add(r) {
    if (document.getElementById("reminder-" + r.id)) return; // already shown
    var li = document.createElement("li");
    li.className = "reminder fresh";
    li.id = "reminder-" + r.id;
    var when = document.createElement("span");
    when.className = "when";
    when.textContent = r.time;
    var who = document.createElement("a");
    who.href = "/customers/" + r.customer_id + "?lang=" + lang;
    who.textContent = r.customer;
    var rule = document.createElement("strong");
    rule.className = "rule";
    rule.textContent = r.rule;
    var text = document.createElement("span");
    text.className = "text";
    text.textContent = r.text;
    [when, who, rule, text].forEach(function (part) {
      li.appendChild(part);
      li.appendChild(document.createTextNode(" "));
    });
    list.insertBefore(li, list.firstChild);
    if (none) none.hidden = true;
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + "/reminders/live?lang=" + lang);
    socket.onopen = function () {
      if (opened) { location.reload(); return; } // after a drop: catch up from the database
      opened = true;
      status.textContent = list.dataset.live;
      status.className = "live on";
    };
    socket.onmessage = function (message) {
      var r = JSON.parse(message.data);
      if (r.reload) { location.reload(); return; }
      add(r);
    };
    socket.onclose = function () {
      status.textContent = list.dataset.offline;
      status.className = "live off";
      setTimeout(connect, 3000);
    };
  }
  connect();
})();
