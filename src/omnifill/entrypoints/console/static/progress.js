// A form marked data-progress shows that it is working once sent: a re-route plans the order again, which can
// take a moment on a large network. The button is disabled so a second click cannot send it twice.
for (const form of document.querySelectorAll("form[data-progress]")) {
  form.addEventListener("submit", () => {
    for (const button of form.querySelectorAll("button")) {
      button.disabled = true;
    }
    const working = document.createElement("span");
    working.className = "working";
    working.setAttribute("role", "status");
    working.textContent = form.dataset.progress;
    const bar = document.createElement("progress");  // no value: the browser shows an indeterminate bar
    working.prepend(bar);
    form.append(working);
  });
}
