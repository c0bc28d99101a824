// The bulk editor (issue 23): paste lines or add rows (panel | service | link | quantity).
//
// Every row is checked as it is typed by the chat's bulk rules (api/bulk/check, which stores
// nothing), with each panel's total. Review makes the chat's bulk previews, one per panel;
// the MainButton confirms them with the chat's claim (each line placed once).
import { mainButton, pre, request } from "./progress.js";

const CHECK_DELAY_MS = 250;
const COLUMNS = ["panel", "service", "link", "quantity"];

let app = null;
let root = null;
let state = null;

function fresh() {
  return { rows: [blank()], check: null, previews: null, results: null, request: null,
           timer: null, seq: 0, error: null };
}

function blank() {
  return { panel: "", service: "", link: "", quantity: "" };
}

export function mount(pageRoot, theApp) {
  app = theApp;
  root = pageRoot;
  state = fresh();
}

export function show() {
  mainButton(app).bind(onMain);
  draw();
}

export function hide() {
  mainButton(app).unbind();
}

// The rows as the chat's list: "panel | service | link | quantity", or without the panel.
function listText() {
  return state.rows.map((row) => {
    const cells = COLUMNS.map((c) => String(row[c] || "").trim());
    if (!cells.slice(1).some(Boolean)) return "";
    return (cells[0] ? cells : cells.slice(1)).join(" | ");
  }).join("\n");
}

// Pasted lines become rows: 4 columns with a panel, 3 without.
function rowsOf(text) {
  return text.split("\n").filter((line) => line.trim()).map((line) => {
    const cells = line.split(/[|;\t]/).map((c) => c.trim());
    if (cells.length >= 4) {
      return { panel: cells[0], service: cells[1], link: cells[2], quantity: cells[3] };
    }
    return { panel: "", service: cells[0] || "", link: cells[1] || "", quantity: cells[2] || "" };
  });
}

function edited() {
  state.previews = null;
  state.results = null;
  clearTimeout(state.timer);
  state.timer = setTimeout(runCheck, CHECK_DELAY_MS);
}

async function runCheck() {
  const text = listText();
  const seq = ++state.seq;
  if (!text.trim()) {
    state.check = null;
    drawChecks();
    return;
  }
  try {
    const check = await app.api("api/bulk/check", { text });
    if (seq !== state.seq) return;
    state.check = check;
    state.error = null;
  } catch (err) {
    state.error = app.failureText(err);
  }
  drawChecks();
}

function onMain() {
  if (state.request) return;
  if (state.results) {
    state = fresh();
    draw();
  } else if (state.previews) {
    confirm();
  } else if (validLines() > 0) {
    review();
  }
}

async function review() {
  const answer = await request(app, state, root.querySelector(".bulk-status"),
    app.api("api/bulk/review", { text: listText() }), drawButton);
  if (answer) state.previews = answer.previews;
  draw();
}

async function confirm() {
  const batches = state.previews.filter((p) => p.batch).map((p) => ({
    batch: p.batch,
    first: p.affordable !== null && p.affordable < p.valid ? p.affordable : null,
    // It warned of links with open orders: the MainButton reads ⚠️ Order anyway for it.
    anyway: Boolean(p.anyway),
  })).filter((b) => b.first !== 0);
  const answer = await request(app, state, root.querySelector(".bulk-status"),
    app.api("api/bulk/confirm", { batches }), drawButton);
  if (answer) {
    const again = answer.results.filter((r) => r.review).map((r) => r.review);
    state.results = answer.results;
    if (again.length) {
      // Lines changed on the panel since the review, or their links got open orders (then
      // they warn, with Order anyway): their new previews, to confirm anew.
      state.previews = again;
      state.results = null;
    }
  }
  draw();
}

function validLines() {
  if (!state.check) return 0;
  return state.check.panels.reduce((n, p) => n + p.valid, 0);
}

function draw() {
  const { el, clear } = app;
  clear(root);
  if (state.results) {
    root.append(...state.results.map((r) => pre(app, r.text, "bulk-result")));
  } else if (state.previews) {
    root.append(...state.previews.map((p) => pre(app, p.text, "bulk-preview")));
  } else {
    root.append(
      el("textarea", { class: "bulk-paste", rows: 3, placeholder: app.t("bulk_paste"),
        onchange: (e) => {
          const rows = rowsOf(e.target.value);
          if (!rows.length) return;
          state.rows = rows;
          e.target.value = "";
          draw();
          edited();
        } }),
      el("div", { class: "bulk-rows" }, state.rows.map(rowEditor)),
      el("button", { class: "btn secondary bulk-add", type: "button", onclick: () => {
        state.rows.push(blank());
        draw();
      } }, app.t("bulk_add_row")),
      el("div", { class: "bulk-totals" }));
  }
  root.append(el("div", { class: "bulk-status", role: "status" }, state.error || ""));
  drawChecks();
}

function rowEditor(row, index) {
  const { el } = app;
  return el("div", { class: "card bulk-row", dataset: { line: String(index + 1) } },
    el("div", { class: "bulk-cells" }, COLUMNS.map((column) => el("input", {
      type: column === "quantity" || column === "service" ? "number" : "text",
      inputmode: column === "quantity" || column === "service" ? "numeric" : undefined,
      placeholder: app.t("bulk_" + column), value: row[column], dataset: { column },
      oninput: (e) => { row[column] = e.target.value; edited(); },
    }))),
    el("div", { class: "bulk-verdict hint" }),
    el("button", { class: "chip", type: "button", onclick: () => {
      state.rows.splice(index, 1);
      if (!state.rows.length) state.rows.push(blank());
      draw();
      edited();
    } }, app.t("bulk_remove_row")));
}

function drawChecks() {
  const verdicts = new Map();
  for (const panel of (state.check && state.check.panels) || []) {
    for (const line of panel.lines) verdicts.set(line.line_no, line);
  }
  for (const box of root.querySelectorAll(".bulk-row")) {
    const line = verdicts.get(Number(box.dataset.line));
    const verdict = box.querySelector(".bulk-verdict");
    verdict.textContent = !line ? "" : line.ok
      ? "✓ " + [line.service, line.cost && line.cost.text].filter(Boolean).join(" · ")
      : "⚠️ " + line.error;
    box.classList.toggle("bad", Boolean(line && !line.ok));
  }
  const totals = root.querySelector(".bulk-totals");
  if (totals) {
    app.clear(totals);
    for (const panel of (state.check && state.check.panels) || []) {
      const name = panel.panel ? panel.panel + " · " : "";
      totals.append(app.el("div", { class: "card bulk-total", dataset: { slot: String(panel.slot) } },
        name + app.t("bulk_total") + ": " + panel.total.text + " (" + panel.valid + ")"));
    }
  }
  drawButton();
}

function drawButton() {
  const button = mainButton(app);
  const working = Boolean(state.request);
  if (state.results) return button.on(app.t("order_new"), true);
  if (state.previews) {
    const one = state.previews.length === 1 ? state.previews[0] : null;
    const first = one && one.affordable !== null && one.affordable < one.valid;
    const anyway = state.previews.some((p) => p.batch && p.anyway);
    const text = anyway ? app.t("order_anyway")
      : first ? app.t("bulk_confirm_first", { n: one.affordable }) : app.t("bulk_confirm");
    return button.on(text, state.previews.some((p) => p.batch), working);
  }
  button.on(app.t("order_review"), validLines() > 0, working);
}
