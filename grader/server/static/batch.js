// The live view of a batch: polls its JSON every few seconds and redraws the counts, the bar
// and the students' rows in place, until the batch is no longer running. Names and messages are
// set as text, never as HTML. No library: the page works offline.
(function () {
  "use strict";
  const section = document.getElementById("batch");
  if (!section) return;
  const url = section.dataset.url;
  const interval = Number(section.dataset.interval) || 2000;
  const text = (id, value) => { document.getElementById(id).textContent = value; };
  const points = (n) => String(Math.round(n * 100) / 100);

  function cell(row, value, href) {
    const td = row.insertCell();
    if (href) {
      const link = document.createElement("a");
      link.href = href;
      link.textContent = value;
      td.appendChild(link);
    } else {
      td.textContent = value;
    }
  }

  function draw(batch) {
    text("state", batch.state);
    text("done", batch.done);
    text("expected", batch.expected);
    text("average", batch.average === null ? "–" : batch.average);
    const bar = document.getElementById("bar");
    bar.max = batch.expected || 1;
    bar.value = batch.done;
    bar.textContent = batch.percent + "%";
    text("counts", Object.entries(batch.counts).map(([s, n]) => s + ": " + n).join(" · "));
    const when = (iso) => iso.slice(0, 19).replace("T", " ") + " UTC";
    text("updated", when(batch.updated_at));
    if (batch.finished_at) text("finished", " · ended " + when(batch.finished_at));
    const body = document.querySelector("#outcomes tbody");
    body.replaceChildren();
    for (const o of batch.outcomes) {
      const row = body.insertRow();
      cell(row, o.student, "/students/" + encodeURIComponent(o.student));
      cell(row, o.state);
      cell(row, points(o.score) + " / " + points(o.max_score));
      cell(row, o.message);
    }
  }

  async function poll() {
    let answer;
    try {
      answer = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    } catch (error) {
      text("live", "The server did not answer; trying again.");
      setTimeout(poll, interval * 2);
      return;
    }
    if (answer.status === 401) {
      text("live", "Your session has ended: sign in again to follow the batch.");
      return;
    }
    if (!answer.ok) {
      text("live", "The server answered " + answer.status + "; trying again.");
      setTimeout(poll, interval * 2);
      return;
    }
    const batch = await answer.json();
    draw(batch);
    if (batch.state === "running") {
      text("live", "Updates by itself while the batch runs.");
      setTimeout(poll, interval);
    } else {
      text("live", "The batch has " + batch.state + ".");
    }
  }

  if (document.getElementById("state").textContent.trim() === "running") setTimeout(poll, interval);
})();
