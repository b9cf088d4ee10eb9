// Sends the file chosen on a ticket's page as the ticket's attachment: its
// bytes as the request's body to the API, with the page's CSRF token; the
// page reloads to list it, or says why it was refused.
(function () {
  var form = document.getElementById("attach");
  if (!form) return;
  var result = document.getElementById("attach-result");
  var main = document.querySelector("main[hx-headers]");
  var token = main ? JSON.parse(main.getAttribute("hx-headers"))["X-CSRF-Token"] : "";
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = form.querySelector("input[type=file]").files[0];
    if (!file) return;
    var url = "/api/v1/tickets/" + form.dataset.ticket + "/attachments?name=" + encodeURIComponent(file.name) +
      "&lang=" + document.documentElement.lang;
    fetch(url, {
      method: "POST",
      headers: { "X-CSRF-Token": token, "Content-Type": "application/octet-stream" },
      body: file,
      credentials: "same-origin"
    }).then(function (response) {
      if (response.ok) { location.reload(); return; }
      return response.json().then(function (error) {
        result.textContent = form.dataset.failed + ": " + (error.message || response.status);
        result.className = "error";
      });
    }).catch(function () {
      result.textContent = form.dataset.failed;
      result.className = "error";
    });
  });
})();
