// The catalog page (issue 23): every linked panel's services in the page, searched as the user
// types (no network per keystroke), with categories, price sort, refill/cancel filters,
// favourites and recent services; a card with the chat's details, ⚖️ Compare and ★.
//
// Search matches as the chat's /services does (bot/services/catalog_index.py): every word of the
// query, folded (case, accents, Turkish i), inside the service's name or category (the server
// sends each service's folded key); an id ("101", "#101") matches that service first.
import { el, clear, plain } from "./dom.js";

// Flag bits of a service row, as bot/webapp/api_catalog.py sets them.
const REFILL = 1, REFILL_UNSTATED = 2, CANCEL = 4, ORDERABLE = 32, PER_PACKAGE = 64;
// Rows drawn at once: a phone shows about eight; "Show more" draws the next ones.
const PAGE = 20;

let app = null;
let root = null;
const state = {
  services: [], panels: [], favourites: new Set(), recent: [], defaultSlot: null,
  panel: "", category: "", sort: "", refill: false, cancel: false, pick: "", query: "",
  results: [], shown: 0, card: null,
};
const ui = {};
const formats = new Map();
let numbers = null;

function number(n) {
  numbers = numbers || new Intl.NumberFormat(app.session.language);
  return numbers.format(n);
}

export function fold(text) {
  return text.normalize("NFKD").replace(/[İIı]/g, "i").toLowerCase()
    .normalize("NFKD").replace(/\p{M}/gu, "");
}

export function searchKey(text) {
  return fold(String(text).replace(/<[^<>]*>/g, " ")).replace(/[^\p{L}\p{N}_]+/gu, " ").trim();
}

function money(rateText, currency) {
  const key = currency || "";
  if (!formats.has(key)) {
    const iso = /^[A-Z]{3}$/.test(key);
    const options = { minimumFractionDigits: 2, maximumFractionDigits: 6 };
    try {
      formats.set(key, new Intl.NumberFormat(app.session.language,
        iso ? { ...options, style: "currency", currency: key } : options));
    } catch (err) {
      formats.set(key, new Intl.NumberFormat(app.session.language, options));
    }
  }
  const text = formats.get(key).format(Number(rateText));
  return key && !/^[A-Z]{3}$/.test(key) ? text + " " + key : text;
}

function priceText(service) {
  const rate = money(service.rateText, service.currency);
  return app.t(service.flags & PER_PACKAGE ? "per_package" : "per_1000", { rate });
}

function load(answer) {
  state.panels = answer.panels;
  state.favourites = new Set(answer.favourites);
  state.recent = answer.recent;
  const def = answer.panels.find((p) => p.is_default);
  state.defaultSlot = def ? def.slot : null;
  state.services = [];
  for (const panel of answer.panels) {
    for (const [id, name, cat, rate, min, max, flags, key] of panel.services) {
      state.services.push({
        slot: panel.slot, panelName: panel.name, currency: panel.currency,
        id, name, category: panel.categories[cat], rateText: rate,
        rate: Number(rate), min, max, flags, key,
      });
    }
  }
}

// The services the query and the filters leave, in the order shown.
export function select() {
  const words = searchKey(state.query).split(" ").filter(Boolean);
  const digits = state.query.trim().replace(/^#/, "").trim();
  const byId = /^\d{1,18}$/.test(digits) ? Number(digits) : null;
  const picked = state.pick === "fav" ? state.favourites
    : state.pick === "recent" ? new Set(state.recent) : null;
  const first = [];
  const rest = [];
  for (const s of state.services) {
    if (state.panel && String(s.slot) !== state.panel) continue;
    if (state.category && s.category !== state.category) continue;
    if (state.refill && !(s.flags & REFILL)) continue;
    if (state.cancel && !(s.flags & CANCEL)) continue;
    if (picked && !(s.slot === state.defaultSlot && picked.has(s.id))) continue;
    if (byId !== null && s.id === byId) { first.push(s); continue; }
    if (words.length && !words.every((w) => s.key.includes(w))) continue;
    rest.push(s);
  }
  if (state.pick === "recent") rest.sort((a, b) => state.recent.indexOf(a.id) - state.recent.indexOf(b.id));
  if (state.sort) {
    // Rates in two currencies are never ranked together (as ⚖️ Compare): by currency first.
    const order = [...new Set(state.panels.map((p) => p.currency || ""))];
    const sign = state.sort === "asc" ? 1 : -1;
    rest.sort((a, b) => order.indexOf(a.currency || "") - order.indexOf(b.currency || "")
      || sign * (a.rate - b.rate));
  }
  return first.concat(rest);
}

function row(s) {
  const star = s.slot === state.defaultSlot && state.favourites.has(s.id) ? " ★" : "";
  const badges = [];
  if (s.flags & REFILL) badges.push(el("span", { class: "badge ok" }, app.t("refill_yes")));
  if (s.flags & CANCEL) badges.push(el("span", { class: "badge ok" }, app.t("cancel_yes")));
  const limits = s.flags & PER_PACKAGE ? "" : ` · ${number(s.min)}–${number(s.max)}`;
  return el("button", {
    class: "svc", type: "button", dataset: { slot: s.slot, id: s.id },
    onclick: () => app.navigate(`catalog?slot=${s.slot}&id=${s.id}`),
  },
  el("div", { class: "svc-name" }, plain(s.name), el("span", { class: "star" }, star)),
  el("div", { class: "svc-meta hint" }, `#${s.id} · `, el("b", {}, s.panelName), ` · ${plain(s.category)}`),
  el("div", { class: "svc-price" }, el("b", {}, priceText(s)), limits, " ", ...badges));
}

function renderMore() {
  const next = state.results.slice(state.shown, state.shown + PAGE);
  if (state.shown === 0) ui.list.replaceChildren(...next.map(row));
  else ui.list.append(...next.map(row));
  state.shown += next.length;
  ui.more.hidden = state.shown >= state.results.length;
}

export function refresh() {
  const started = performance.now();
  state.results = select();
  state.shown = 0;
  ui.count.textContent = state.results.length
    ? app.t("found", { n: number(state.results.length) })
    : app.t("no_match");
  renderMore();
  app.catalogStats = { lastRefreshMs: performance.now() - started, results: state.results.length };
}

function chip(label, pressed, onclick) {
  return el("button", { class: "chip", type: "button", "aria-pressed": String(pressed), onclick }, label);
}

function drawFilters() {
  const sortLabel = app.t(state.sort === "asc" ? "sort_asc" : state.sort === "desc" ? "sort_desc" : "sort_none");
  const cycle = { "": "asc", asc: "desc", desc: "" };
  const toggle = (key, value) => () => { state[key] = value; drawFilters(); refresh(); };
  clear(ui.chips).append(
    chip(sortLabel, Boolean(state.sort), toggle("sort", cycle[state.sort])),
    chip(app.t("refill_only"), state.refill, toggle("refill", !state.refill)),
    chip(app.t("cancel_only"), state.cancel, toggle("cancel", !state.cancel)),
    chip(app.t("favourites"), state.pick === "fav", toggle("pick", state.pick === "fav" ? "" : "fav")),
    chip(app.t("recent"), state.pick === "recent", toggle("pick", state.pick === "recent" ? "" : "recent")),
  );
}

function drawSelects() {
  const panels = [el("option", { value: "" }, app.t("all_panels"))];
  for (const p of state.panels) panels.push(el("option", { value: String(p.slot) }, p.name));
  clear(ui.panel).append(...panels);
  ui.panel.value = state.panel;
  ui.panel.hidden = state.panels.length < 2;
  const names = [];
  const seen = new Set();
  for (const p of state.panels) {
    if (state.panel && String(p.slot) !== state.panel) continue;
    for (const c of p.categories) if (!seen.has(c)) { seen.add(c); names.push(c); }
  }
  if (!seen.has(state.category)) state.category = "";
  clear(ui.category).append(el("option", { value: "" }, app.t("all_categories")),
    ...names.map((c) => el("option", { value: c }, plain(c))));
  ui.category.value = state.category;
}

function drawErrors() {
  clear(ui.errors);
  for (const p of state.panels) {
    if (p.error) ui.errors.append(el("div", { class: "card warn" }, el("b", {}, p.name), ": ", p.error));
  }
}

function buildList() {
  ui.search = el("input", {
    type: "search", id: "catalog-search", placeholder: app.t("search_placeholder"),
    autocomplete: "off", enterkeyhint: "search",
  });
  ui.search.addEventListener("input", () => { state.query = ui.search.value; refresh(); });
  ui.panel = el("select", { id: "catalog-panel" });
  ui.panel.addEventListener("change", () => { state.panel = ui.panel.value; drawSelects(); refresh(); });
  ui.category = el("select", { id: "catalog-category" });
  ui.category.addEventListener("change", () => { state.category = ui.category.value; refresh(); });
  ui.chips = el("div", { class: "chips" });
  ui.count = el("div", { class: "hint count", id: "catalog-count" });
  ui.errors = el("div", {});
  ui.list = el("div", { class: "svc-list", id: "catalog-list" });
  ui.more = el("button", { class: "btn secondary more", type: "button", onclick: renderMore }, app.t("show_more"));
  ui.listView = el("div", { class: "list-view" },
    el("div", { class: "filters" }, ui.search, el("div", { class: "selects" }, ui.panel, ui.category), ui.chips),
    ui.errors, ui.count, ui.list, ui.more);
  ui.cardView = el("div", { class: "card-view", id: "catalog-card" });
  ui.cardView.hidden = true;
  clear(root).append(ui.listView, ui.cardView);
}

async function start() {
  root.append(el("p", { class: "empty" }, app.t("loading")));
  let answer;
  const asked = performance.now();
  try {
    // The shell asked for it already, beside the session (one round trip less on opening).
    answer = await (app.early("api/catalog") || app.api("api/catalog"));
  } catch (err) {
    clear(root).append(el("p", { class: "empty" }, app.failureText(err)));
    return;
  }
  buildList();
  if (answer.message) {
    clear(root).append(el("p", { class: "empty" }, answer.message));
    return;
  }
  const answered = performance.now();
  load(answer);
  app.catalogTimes = { fetchMs: answered - asked, loadMs: performance.now() - answered };
  drawSelects();
  drawFilters();
  drawErrors();
  refresh();
  root.dataset.loaded = "true";
  // Time to interactive, from the navigation's start (benchmarks/webapp.py reads it).
  app.catalogLoadedAt = performance.now();
  if (state.pendingCard) openCard(...state.pendingCard);
}

function backFromCard() { history.back(); }

function closeCard() {
  state.card = null;
  if (!ui.cardView) return;
  ui.cardView.hidden = true;
  ui.listView.hidden = false;
  app.tg.BackButton.offClick(backFromCard);
  app.tg.BackButton.hide();
}

function offerButton(offer) {
  return el("button", {
    class: "offer", type: "button",
    onclick: () => app.navigate(`catalog?slot=${offer.slot}&id=${offer.id}`),
  }, el("div", {}, el("b", {}, offer.panel), ` #${offer.id} ${plain(offer.name)}`),
  el("div", { class: "hint" }, offer.details));
}

async function showCompare(card, box) {
  clear(box).append(el("p", { class: "hint" }, app.t("loading")));
  let answer;
  try {
    answer = await app.api(`api/catalog/compare?slot=${card.slot}&id=${card.id}`);
  } catch (err) {
    clear(box).append(el("p", { class: "hint" }, app.failureText(err)));
    return;
  }
  const parts = [el("h3", {}, answer.title), el("p", { class: "hint" }, answer.note),
    el("div", { class: "hint" }, app.t("this_card")), offerButton(answer.base)];
  let currency;
  for (const offer of answer.offers) {
    if (offer.currency !== currency) {
      currency = offer.currency;
      parts.push(el("div", { class: "hint group" }, app.t("in_currency", { currency: currency || "?" })));
    }
    parts.push(offerButton(offer));
  }
  if (!answer.offers.length) parts.push(el("p", {}, app.t("no_similar")));
  if (answer.silent.length) parts.push(el("p", { class: "hint" }, app.t("silent", { panels: answer.silent.join(", ") })));
  clear(box).append(el("div", { class: "compare", id: "catalog-compare" }, ...parts));
}

async function toggleStar(card, button) {
  try {
    const answer = await app.api("api/catalog/favourite", { service_id: card.id, on: !card.favourite });
    card.favourite = answer.favourite;
    if (answer.favourite) state.favourites.add(card.id); else state.favourites.delete(card.id);
    button.textContent = app.t(card.favourite ? "unstar" : "star");
    app.notify(answer.message);
    app.tg.HapticFeedback.selectionChanged();
  } catch (err) {
    app.notify(app.failureText(err));
  }
}

function drawCard(card) {
  const actions = el("div", { class: "actions" });
  const compareBox = el("div", {});
  if (card.orderable) {
    actions.append(el("button", { class: "btn", type: "button",
      onclick: () => app.navigate(`order?slot=${card.slot}&service=${card.id}`) }, app.t("order")));
  }
  if (card.favourite !== null) {
    const star = el("button", { class: "btn secondary", type: "button", id: "catalog-star" },
      app.t(card.favourite ? "unstar" : "star"));
    star.addEventListener("click", () => toggleStar(card, star));
    actions.append(star);
  }
  if (card.comparable) {
    actions.append(el("button", { class: "btn secondary", type: "button", id: "catalog-compare-button",
      onclick: () => showCompare(card, compareBox) }, app.t("compare")));
  }
  clear(ui.cardView).append(
    el("button", { class: "link back", type: "button", onclick: backFromCard }, app.t("back")),
    el("div", { class: "card" },
      el("h2", {}, `#${card.id} ${plain(card.name)}`),
      el("div", { class: "hint" }, card.panel),
      el("ul", { class: "lines" }, ...card.lines.map((line) => el("li", {}, line))),
      card.description ? el("p", { class: "description" }, card.description) : null,
      actions),
    compareBox);
}

async function openCard(slot, id) {
  if (!ui.cardView) { state.pendingCard = [slot, id]; return; }
  state.pendingCard = null;
  ui.listView.hidden = true;
  ui.cardView.hidden = false;
  clear(ui.cardView).append(el("p", { class: "empty" }, app.t("loading")));
  // Once: a card opened from another card's comparison must not go back twice.
  app.tg.BackButton.offClick(backFromCard);
  app.tg.BackButton.onClick(backFromCard);
  app.tg.BackButton.show();
  window.scrollTo(0, 0);
  try {
    state.card = await app.api(`api/catalog/service?slot=${slot}&id=${id}`);
  } catch (err) {
    clear(ui.cardView).append(
      el("button", { class: "link back", type: "button", onclick: backFromCard }, app.t("back")),
      el("p", { class: "empty" }, app.failureText(err)));
    return;
  }
  drawCard(state.card);
}

export function mount(pageRoot, shell) {
  app = shell;
  root = pageRoot;
  start();
}

export function show(params) {
  const slot = params.get("slot");
  const id = params.get("id");
  if (slot && id) openCard(Number(slot), Number(id));
  else closeCard();
}

export function hide() {
  if (state.card) closeCard();
}
