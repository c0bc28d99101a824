// The orders page (issue 23): the history with status filters and search, and order cards.
//
// A card is the chat's card (api/orders/card), with Refill and Cancel when the chat's card
// offers them. Every call names the order by our row id, so it acts on the order's own panel.
import { busy, mainButton, pre } from "./progress.js";

const FILTERS = ["all", "open", "completed", "canceled"];
const SEARCH_DELAY_MS = 300;

let app = null;
let root = null;
let state = null;

export function mount(pageRoot, theApp) {
  app = theApp;
  root = pageRoot;
  state = { filter: "all", q: "", page: 0, orders: [], pages: 1, card: null, timer: null,
            seq: 0, error: null };
}

export function show() {
  mainButton(app).unbind();
  load();
}

export function hide() {}

async function load(more) {
  const seq = ++state.seq;
  const page = more ? state.page + 1 : 0;
  try {
    const answer = await app.api("api/orders/list", { filter: state.filter, q: state.q, page });
    if (seq !== state.seq) return;
    state.orders = more ? state.orders.concat(answer.orders) : answer.orders;
    state.page = answer.page;
    state.pages = answer.pages;
    state.error = null;
  } catch (err) {
    state.error = app.failureText(err);
  }
  draw();
}

function draw() {
  const { el, clear } = app;
  clear(root);
  if (state.card) {
    drawCard();
    return;
  }
  root.append(
    el("input", { type: "search", class: "orders-search", placeholder: app.t("orders_search"),
      value: state.q, oninput: (e) => {
        state.q = e.target.value;
        clearTimeout(state.timer);
        state.timer = setTimeout(() => load(), SEARCH_DELAY_MS);
      } }),
    el("div", { class: "chips" }, FILTERS.map((name) => el("button", {
      class: "chip", type: "button", "aria-pressed": String(state.filter === name),
      dataset: { filter: name },
      onclick: () => { state.filter = name; load(); },
    }, app.t("orders_" + name))),
    el("button", { class: "chip", type: "button", onclick: () => load() },
      "↻ " + app.t("orders_refresh"))));
  if (!state.orders.length) root.append(el("p", { class: "empty" }, app.t("orders_empty")));
  root.append(el("div", { class: "orders-list" }, state.orders.map(row)));
  if (state.page + 1 < state.pages && !state.q) {
    root.append(el("button", { class: "btn secondary", type: "button", onclick: () => load(true) },
      app.t("orders_more")));
  }
  root.append(el("div", { class: "orders-status", role: "status" }, state.error || ""));
}

function row(order) {
  const { el } = app;
  const ref = order.panel_order_id ? "#" + order.panel_order_id : "—";
  return el("button", { class: "card order-row", type: "button", dataset: { id: String(order.id) },
    onclick: () => openCard(order.id) },
    el("div", {}, [order.icon, ref, order.panel, order.status, order.quantity]
      .filter(Boolean).join(" · ")),
    el("div", { class: "hint" }, order.service),
    el("div", { class: "hint order-link" }, order.link));
}

async function cardCall(path, id) {
  try {
    const status = root.querySelector(".orders-status");
    state.card = await busy(app, status, app.api(path, { id }));
    state.error = null;
  } catch (err) {
    state.error = app.failureText(err);
  }
  draw();
}

function openCard(id) {
  return cardCall("api/orders/card", id);
}

function drawCard() {
  const { el } = app;
  const card = state.card;
  const act = (path) => () => cardCall(path, card.id);
  root.append(
    el("button", { class: "chip", type: "button", onclick: () => { state.card = null; load(); } },
      "‹ " + app.t("tab_orders")),
    pre(app, card.text, "order-card"),
    el("div", { class: "chips card-actions" },
      el("button", { class: "btn secondary", type: "button", onclick: act("api/orders/refresh") },
        "↻ " + app.t("orders_refresh")),
      card.refill ? el("button", { class: "btn secondary", type: "button",
        onclick: act("api/orders/refill") }, "♻️ " + app.t("orders_refill")) : null,
      card.cancel ? el("button", { class: "btn secondary", type: "button",
        onclick: () => askCancel(card.id) }, "🛑 " + app.t("orders_cancel")) : null),
    el("div", { class: "orders-status", role: "status" }, state.error || ""));
}

function askCancel(id) {
  const go = (yes) => { if (yes) cardCall("api/orders/cancel", id); };
  if (app.tg && app.tg.showConfirm) app.tg.showConfirm(app.t("orders_cancel_sure"), go);
  else go(window.confirm(app.t("orders_cancel_sure")));
}
