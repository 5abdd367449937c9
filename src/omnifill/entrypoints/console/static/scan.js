// Scanning: a keyboard-wedge scanner types the barcode and Enter into the focused field.
// Pick list: each scan is checked against the list at once; a wrong item or one too many is refused loudly (red
// banner and a low buzz). Return desk: each scan adds one unit to its line of the order, within what may come back.
// The server checks the scans again when the form is sent.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const banner = document.getElementById("scan-alert");
  const pick = document.querySelector("form.scan-pick");
  const desk = document.querySelector("form.scan-return");
  if (pick) listen(pick, (row, code) => pickOne(pick, row, code), "is not on this pick list");
  if (desk) listen(desk, returnOne, "is not on this order");

  function listen(form, count, missing) {
    const field = form.querySelector("input[name=scan]");
    const rows = Array.from(document.querySelectorAll("tr[data-sku]"));
    field.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      const code = field.value.trim();
      field.value = "";
      if (!code) return;
      const row = rows.find((r) => r.dataset.gtin === code || r.dataset.sku === code);
      if (!row) return refuse(`Wrong item: ${code} ${missing}.`);
      count(row, code);
    });
  }

  function pickOne(form, row, code) {
    const wanted = Number(row.dataset.quantity);
    const scanned = Number(row.dataset.scanned);
    if (scanned >= wanted) return refuse(`Too many: all ${wanted} of ${row.dataset.sku} are already scanned.`);
    row.dataset.scanned = String(scanned + 1);
    row.querySelector(".scanned").textContent = String(scanned + 1);
    row.classList.toggle("done", scanned + 1 === wanted);
    form.querySelector("textarea[name=scans]").value += code + "\n";
    tell(`${row.dataset.sku}: ${scanned + 1} of ${wanted}`, "accepted");
  }

  function returnOne(row) {
    const units = row.querySelector("input[name=quantity]");
    const count = Number(units.value || 0) + 1;
    const most = Number(row.dataset.quantity);
    if (count > most) return refuse(`Too many: only ${most} of ${row.dataset.sku} may come back.`);
    units.value = String(count);
    tell(`${row.dataset.sku}: ${count} back`, "accepted");
  }

  function refuse(message) {
    tell(message, "refused");
    buzz();
  }

  function tell(message, kind) {
    banner.hidden = false;
    banner.textContent = message;
    banner.className = `alert ${kind}`;
  }

  function buzz() {
    try {
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      tone.type = "square";
      tone.frequency.value = 180;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.35);
    } catch (_) {
      // No sound on this device: the banner still says it.
    }
  }
});
