// The Mini App's shell: tabs, a hash router, the API helper and the texts (issue 23).
//
// Pages are modules with mount(root, app) (once, the first time their tab opens), and
// optionally show(params) (every visit, with the hash's query) and hide(). `app` gives them:
//   app.api(path, body)  JSON to/from the bot ("api/…"; a body makes it a POST), with
//                        Telegram's initData in the Authorization header; throws ApiFailure;
//   app.t(key, vars)     a text of the caller's language ({name} placeholders filled);
//   app.navigate(hash)   e.g. app.navigate("order?slot=2&service=101");
//   app.tg               Telegram.WebApp (MainButton, haptics, popups);
//   app.session          {user, language, is_admin, texts};
//   app.el, app.clear    the DOM helpers of dom.js; app.notify(text) a passing notice.
import { el, clear } from "./dom.js";
import * as catalog from "./catalog.js";
import * as order from "./order.js";
import * as bulk from "./bulk.js";
import * as orders from "./orders.js";

const PAGES = { catalog, order, bulk, orders };
const TABS = ["catalog", "order", "bulk", "orders"];
const tg = window.Telegram && window.Telegram.WebApp;

export class ApiFailure extends Error {
  constructor(status, code, message, field) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.userMessage = message || "";
    this.field = field || null; // the form field a refusal is about, when it names one
  }
}

const app = {
  tg,
  el,
  clear,
  session: null,
  mounted: new Set(),
  current: null,

  t(key, vars) {
    const texts = (app.session && app.session.texts) || {};
    let text = texts[key] ?? key;
    for (const [name, value] of Object.entries(vars || {})) {
      text = text.split("{" + name + "}").join(String(value));
    }
    return text;
  },

  async api(path, body) {
    const init = {
      method: body === undefined ? "GET" : "POST",
      headers: { Authorization: "tma " + (tg ? tg.initData : "") },
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (err) {
      throw new ApiFailure(0, "network", "");
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new ApiFailure(response.status, data.error || "internal", data.message, data.field);
    }
    return data;
  },

  // The text to show for a failed call: the server's own words, else one for its code.
  failureText(err) {
    if (err instanceof ApiFailure && err.userMessage) return err.userMessage;
    const code = err instanceof ApiFailure ? err.code : "internal";
    const known = ["unauthorized", "no_access", "standby", "rate_limited"];
    return app.t(known.includes(code) ? "error_" + code : "error_generic");
  },

  notify(text) {
    const notice = document.getElementById("notice");
    notice.textContent = text;
    notice.hidden = false;
    clearTimeout(app._noticeTimer);
    app._noticeTimer = setTimeout(() => { notice.hidden = true; }, 4000);
  },

  // A GET the shell started before the pages were mounted (the catalog's), handed out once.
  early(path) {
    const pending = app._early[path];
    delete app._early[path];
    return pending;
  },
  _early: {},

  navigate(hash) {
    if (location.hash.slice(1) === hash) route();
    else location.hash = hash;
  },
};

function parseHash() {
  const raw = location.hash.slice(1);
  const [name, query] = raw.split("?");
  return { name: PAGES[name] ? name : "catalog", params: new URLSearchParams(query || "") };
}

function route() {
  const { name, params } = parseHash();
  if (app.current && app.current !== name) {
    const previous = PAGES[app.current];
    if (previous.hide) previous.hide();
    document.getElementById("page-" + app.current).hidden = true;
  }
  const root = document.getElementById("page-" + name);
  root.hidden = false;
  app.current = name;
  for (const tab of document.querySelectorAll(".tab")) {
    tab.setAttribute("aria-selected", String(tab.dataset.page === name));
  }
  const page = PAGES[name];
  if (!app.mounted.has(name)) {
    app.mounted.add(name);
    page.mount(root, app);
  }
  if (page.show) page.show(params);
}

function drawTabs() {
  const tabs = clear(document.getElementById("tabs"));
  for (const name of TABS) {
    tabs.append(
      el("button", {
        class: "tab", type: "button", role: "tab", dataset: { page: name },
        onclick: () => app.navigate(name),
      }, app.t("tab_" + name)),
    );
  }
}

function applyScheme() {
  document.documentElement.dataset.scheme = (tg && tg.colorScheme) || "light";
}

function fail(text) {
  const loading = document.getElementById("loading");
  loading.hidden = false;
  loading.classList.add("failed");
  loading.textContent = text;
}

async function start() {
  applyScheme();
  if (!tg || !tg.initData) {
    fail("Open this page from the bot in Telegram.");
    return;
  }
  tg.ready();
  tg.expand();
  tg.onEvent("themeChanged", applyScheme);
  const opening = parseHash().name;
  if (opening === "catalog" || location.hash.includes("tgWebApp")) {
    app._early["api/catalog"] = app.api("api/catalog");
    app._early["api/catalog"].catch(() => {}); // its page reports a failure when it reads it
  }
  try {
    app.session = await app.api("api/session");
  } catch (err) {
    fail(app.failureText(err));
    return;
  }
  document.documentElement.lang = app.session.language;
  drawTabs();
  document.getElementById("loading").hidden = true;
  window.addEventListener("hashchange", route);
  // Telegram opens the page with its own data in the hash: the page starts on the catalog.
  // A chat preview's "Open in the app" (?batch=…) opens that preview on the order page.
  const batch = new URLSearchParams(location.search).get("batch");
  if (location.hash.includes("tgWebApp")) {
    history.replaceState(null, "", batch ? "#order?batch=" + encodeURIComponent(batch) : "#catalog");
  }
  route();
  document.body.dataset.ready = "true";
}

window.miniApp = app; // for the browser tests and for debugging in a console
start();
