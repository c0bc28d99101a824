// What the order, bulk and orders pages share: Telegram's MainButton, progress while the bot
// talks to a panel, and the chat's texts shown as they are (issue 23).

// After this long without an answer the page says the panel is slow (it keeps waiting: the
// bot answers within the panel's timeout, and a write is never sent twice).
const SLOW_MS = 2500;

// `promise`, with "Asking the panel…" in `status` (an element, or null) meanwhile, and
// "The panel is slow…" once it takes long; the MainButton shows its progress too.
export async function busy(app, status, promise) {
  const button = app.tg && app.tg.MainButton;
  if (status) status.textContent = app.t("order_working");
  if (button) button.showProgress(false);
  const slow = setTimeout(() => {
    if (status) status.textContent = app.t("order_slow");
  }, SLOW_MS);
  try {
    return await promise;
  } finally {
    clearTimeout(slow);
    if (status) status.textContent = "";
    if (button) button.hideProgress();
  }
}

// A page's call that writes (Review, Confirm): one at a time (`state.request` meanwhile, which
// `redraw` shows on the MainButton), its progress in `status`; the answer, or null with the
// reason in `state.error`. The bot's claim guards against more than one anyway.
export async function request(app, state, status, promise, redraw) {
  state.request = true;
  state.error = null;
  state.failedField = null;
  redraw();
  try {
    return await busy(app, status, promise);
  } catch (err) {
    state.error = app.failureText(err);
    state.failedField = err.field || null;
    return null;
  } finally {
    state.request = false;
  }
}

// A text of the chat (a preview, a result, a card) as it is, line breaks kept.
export function pre(app, text, cls) {
  return app.el("div", { class: "card pre " + (cls || "") }, text);
}

// Telegram's MainButton for one page at a time: bind(handler) on show, unbind() on hide.
let bound = null;

export function mainButton(app) {
  const button = app.tg && app.tg.MainButton;
  return {
    bind(handler) {
      if (!button) return;
      if (bound) button.offClick(bound);
      bound = handler;
      button.onClick(handler);
    },
    unbind() {
      if (!button) return;
      if (bound) button.offClick(bound);
      bound = null;
      button.hide();
    },
    on(text, active, progress) {
      if (!button) return;
      button.setText(text);
      if (progress) button.showProgress(false);
      else if (button.isProgressVisible) button.hideProgress();
      if (active && !progress) button.enable();
      else button.disable();
      button.show();
    },
    off() {
      if (button) button.hide();
    },
  };
}
