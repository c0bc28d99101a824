// The order page (issue 23): a type-aware form for one service, Review, then Confirm.
//
// The fields are the chat's questions of the service's type (api/order/form); every change is
// checked by the chat's own parsers (api/order/check), which also give the live cost. Review
// asks the bot for the chat's preview: a draft with its key version, panel, price check and
// expiry. Confirm is Telegram's MainButton and goes through the chat's claim, so a doubled tap
// or a second device places one order. Texts come from the session; the server's are plain.
import { busy, mainButton, pre, request } from "./progress.js";

const CHECK_DELAY_MS = 150;

let app = null;
let root = null;
let state = null;

function fresh() {
  return { form: null, answers: {}, dripfeed: false, check: null, review: null, done: null,
           request: null, slot: null, service: null, batch: null, timer: null, seq: 0 };
}

export function mount(pageRoot, theApp) {
  app = theApp;
  root = pageRoot;
  state = fresh();
}

export function show(params) {
  const service = params.get("service");
  const slot = params.get("slot");
  const batch = params.get("batch");
  mainButton(app).bind(onMain);
  if (batch && batch !== state.batch) {
    // A preview made in the chat, opened here: the same draft, confirmed with the same claim.
    state = fresh();
    state.batch = batch;
    openPreview(batch);
  } else if (service && (service !== state.service || slot !== state.slot)) {
    state = fresh();
    state.service = service;
    state.slot = slot;
    load();
  } else {
    draw();
  }
}

export function hide() {
  mainButton(app).unbind();
}

async function openPreview(batch) {
  try {
    const review = await busy(app, null, app.api("api/order/preview", { batch }));
    state.review = review;
    state.service = String(review.service_id);
    state.slot = String(review.slot);
  } catch (err) {
    state.error = app.failureText(err);
    state.service = "?";
    draw();
    return;
  }
  await load();
}

async function load() {
  draw();
  const body = { service_id: Number(state.service), slot: state.slot ? Number(state.slot) : null };
  try {
    state.form = await busy(app, null, app.api("api/order/form", body));
  } catch (err) {
    state.error = app.failureText(err);
  }
  draw();
}

function onMain() {
  if (state.request) return; // one call at a time; the bot's claim guards the rest
  if (state.done) {
    const { service, slot } = state;
    state = fresh();
    state.service = service;
    state.slot = slot;
    load();
  } else if (state.review) {
    confirm();
  } else if (state.check && state.check.ready) {
    review();
  }
}

function requestBody() {
  return {
    service_id: state.form.service.id,
    slot: state.form.slot,
    answers: state.answers,
    dripfeed: state.dripfeed,
  };
}

async function review() {
  const answer = await request(app, state, root.querySelector(".order-status"),
    app.api("api/order/review", requestBody()), drawButton);
  if (answer) {
    state.review = answer;
    state.notice = null; // an earlier Confirm's words belong to an earlier review
  }
  draw();
}

async function confirm() {
  // A review that warned of an open order on its link is the chat's ⚠️ Order anyway: a plain
  // Confirm of it places nothing. The bot takes `anyway` for the caller's own draft only.
  const body = { batch: state.review.batch, anyway: Boolean(state.review.anyway) };
  const answer = await request(app, state, root.querySelector(".order-status"),
    app.api("api/order/confirm", body), drawButton);
  if (answer && answer.review) {
    // The service changed since the review, or the link got an open order (the review now
    // warns, with Order anyway): a new preview, to confirm anew.
    state.review = answer.review;
    state.notice = answer.text;
  } else if (answer) {
    state.done = answer;
    state.review = null;
    if (app.tg && app.tg.HapticFeedback) {
      app.tg.HapticFeedback.notificationOccurred(answer.outcome === "placed" ? "success" : "warning");
    }
  }
  draw();
}

function scheduleCheck() {
  clearTimeout(state.timer);
  state.timer = setTimeout(runCheck, CHECK_DELAY_MS);
}

async function runCheck() {
  const seq = ++state.seq;
  try {
    const check = await app.api("api/order/check", requestBody());
    if (seq !== state.seq) return; // a later keystroke's answer is the one to show
    state.check = check;
  } catch (err) {
    state.check = null;
    state.error = app.failureText(err);
  }
  drawChecks();
}

function setAnswer(name, value) {
  state.answers[name] = value;
  if (state.failedField === name) state.failedField = null;
  state.review = null;
  scheduleCheck();
}

function draw() {
  const { el, clear } = app;
  clear(root);
  if (!state.service) {
    root.append(el("p", { class: "empty" }, app.t("order_pick")), serviceInput());
    drawButton();
    return;
  }
  if (!state.form) {
    root.append(el("div", { class: "order-status" }, state.error || app.t("loading")));
    drawButton();
    return;
  }
  root.append(header());
  if (state.done) {
    root.append(pre(app, state.done.text, "order-result"));
  } else if (state.review) {
    if (state.notice) root.append(pre(app, state.notice, "order-notice"));
    const shown = pre(app, state.review.text, "order-review");
    shown.dataset.batch = state.review.batch;
    root.append(shown);
    root.append(el("button", { class: "btn secondary", type: "button", onclick: () => {
      // The review's draft goes, as with the chat's ✖️ Cancel: only a new review can be placed.
      app.api("api/order/discard", { batch: state.review.batch }).catch(() => {});
      state.review = null;
      draw();
    } }, app.t("order_change")));
  } else {
    root.append(...[...fields(), dripfeedSwitch(), costLine()].filter(Boolean));
  }
  root.append(el("div", { class: "order-status", role: "status" }, state.error || ""));
  drawButton();
  drawChecks();
}

function serviceInput() {
  return app.el("input", {
    type: "number", class: "order-service", inputmode: "numeric", placeholder: "#",
    onchange: (e) => app.navigate("order?service=" + encodeURIComponent(e.target.value)),
  });
}

function header() {
  const { el } = app;
  const s = state.form.service;
  return el("div", { class: "card order-head" },
    el("div", { class: "order-name" }, "#" + s.id + " " + s.name),
    el("div", { class: "hint" }, [state.form.panel, s.category, s.rate && s.rate.text, s.limits]
      .filter(Boolean).join(" · ")));
}

function visible(field) {
  if (field.name === "runs" || field.name === "interval") return state.dripfeed;
  return true;
}

function fields() {
  return state.form.fields.filter(visible).map((field) => {
    const { el } = app;
    const box = el("div", { class: "card field", dataset: { field: field.name } },
      el("label", { class: "field-label", for: "f-" + field.name }, field.label),
      el("div", { class: "hint" }, field.hint),
      input(field),
      picks(field),
      field.kind === "list" ? el("div", { class: "hint field-count" }) : null,
      el("div", { class: "field-error", role: "alert" }));
    return box;
  });
}

function input(field) {
  const { el } = app;
  const value = state.answers[field.name] ?? "";
  const common = { id: "f-" + field.name, name: field.name,
                   oninput: (e) => { setAnswer(field.name, e.target.value); countLines(field); } };
  if (field.kind === "list") return el("textarea", { ...common, rows: 5 }, value);
  if (field.kind === "choice") return null;
  const numeric = ["quantity", "number"].includes(field.kind);
  return el("input", {
    ...common,
    type: numeric ? "number" : field.kind === "link" ? "url" : "text",
    inputmode: numeric ? "numeric" : undefined,
    min: field.low ?? undefined, max: field.high ?? undefined,
    value,
  });
}

function picks(field) {
  const { el } = app;
  const values = field.picks.map((p) => ({ value: String(p.value), text: p.text }));
  if (field.kind === "link") {
    for (const link of state.form.recent_links) values.push({ value: link, text: link });
  }
  if (!values.length) return null;
  return el("div", { class: "chips" }, values.map((p) => el("button", {
    class: "chip", type: "button", "aria-pressed": String(state.answers[field.name] === p.value),
    onclick: () => {
      setAnswer(field.name, p.value);
      const box = root.querySelector(`[data-field="${field.name}"]`);
      const target = box && box.querySelector("input, textarea");
      if (target) target.value = p.value;
      for (const chip of box.querySelectorAll(".chip")) {
        chip.setAttribute("aria-pressed", String(chip.textContent === p.text));
      }
    },
  }, p.text)));
}

function countLines(field) {
  if (field.kind !== "list") return;
  const box = root.querySelector(`[data-field="${field.name}"] .field-count`);
  const n = String(state.answers[field.name] || "").split("\n").filter((l) => l.trim()).length;
  const [low, high] = field.lines || [0, Infinity];
  box.textContent = app.t("order_lines", { n }) + (field.lines ? ` (${low}–${high})` : "");
  box.classList.toggle("bad", n > 0 && (n < low || n > high));
}

function dripfeedSwitch() {
  const { el } = app;
  if (state.form.dripfeed === "none") return null;
  return el("label", { class: "card switch" },
    el("input", { type: "checkbox", checked: state.dripfeed, onchange: (e) => {
      state.dripfeed = e.target.checked;
      state.review = null;
      draw();
      scheduleCheck();
    } }),
    " " + app.t("order_dripfeed"));
}

function costLine() {
  return app.el("div", { class: "card order-cost" },
    app.el("span", {}, app.t("order_cost") + ": "), app.el("b", { class: "cost" }, "—"));
}

function drawChecks() {
  const check = state.check;
  for (const box of root.querySelectorAll(".field")) {
    const name = box.dataset.field;
    // Review's refusal names the answer the chat's parser refused; show it at that field.
    const refused = state.failedField === name ? state.error : null;
    const error = (check && check.errors[name]) || refused;
    box.querySelector(".field-error").textContent = error || "";
    box.classList.toggle("bad", Boolean(error));
  }
  const cost = root.querySelector(".cost");
  if (cost) cost.textContent = check && check.cost ? check.cost.text : "—";
  drawButton();
}

function drawButton() {
  const button = mainButton(app);
  if (!state.form) return button.off();
  if (state.done) return button.on(app.t("order_new"), true);
  if (state.review) {
    const label = state.review.anyway ? app.t("order_anyway") : app.t("order_confirm");
    return button.on(label, true, Boolean(state.request));
  }
  button.on(app.t("order_review"), Boolean(state.check && state.check.ready), Boolean(state.request));
}
