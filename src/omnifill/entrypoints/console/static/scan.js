// Scan-to-pick: a keyboard-wedge scanner types the barcode and Enter into the focused field. Each scan is checked
// against the pick list at once; a wrong item or one too many is refused loudly (red banner and a low buzz).
// The server checks the scans again when the pick is confirmed.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("form.scan-pick");
  if (!form) return;
  const field = form.querySelector("input[name=scan]");
  const scans = form.querySelector("textarea[name=scans]");
  const banner = document.getElementById("scan-alert");
  const rows = Array.from(document.querySelectorAll("tr[data-sku]"));

  field.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const code = field.value.trim();
    field.value = "";
    if (code) scan(code);
  });

  function scan(code) {
    const row = rows.find((r) => r.dataset.gtin === code || r.dataset.sku === code);
    if (!row) return refuse(`Wrong item: ${code} is not on this pick list.`);
    const wanted = Number(row.dataset.quantity);
    const scanned = Number(row.dataset.scanned);
    if (scanned >= wanted) return refuse(`Too many: all ${wanted} of ${row.dataset.sku} are already scanned.`);
    row.dataset.scanned = String(scanned + 1);
    row.querySelector(".scanned").textContent = String(scanned + 1);
    row.classList.toggle("done", scanned + 1 === wanted);
    scans.value += code + "\n";
    tell(`${row.dataset.sku}: ${scanned + 1} of ${wanted}`, "accepted");
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
