// A stand-in for https://telegram.org/js/telegram-web-app.js in the browser tests (issue 23).
//
// It implements what the Mini App uses, the way Telegram's script does it: initData and the
// theme from the URL hash (tgWebAppData, tgWebAppThemeParams), the theme as --tg-theme-* CSS
// variables, MainButton and BackButton with their click events, popups and haptics. The
// MainButton is drawn as a real button at the bottom of the page (#tg-main-button) so that a
// test clicks it like a user; `window.__fakeTelegram` lets a test read what the page asked for.
(function () {
  "use strict";
  const params = new URLSearchParams(location.hash.slice(1));
  function kept(name) {
    const value = params.get(name);
    if (value !== null) {
      sessionStorage.setItem("fakeTelegram." + name, value);
      return value;
    }
    return sessionStorage.getItem("fakeTelegram." + name);
  }
  const initData = kept("tgWebAppData") || "";
  const themeParams = JSON.parse(kept("tgWebAppThemeParams") || "{}");

  const unsafe = {};
  new URLSearchParams(initData).forEach(function (value, key) {
    unsafe[key] = key === "user" || key === "receiver" || key === "chat" ? JSON.parse(value) : value;
  });
  if (unsafe.auth_date) unsafe.auth_date = Number(unsafe.auth_date);

  const events = {};
  const record = { alerts: [], confirms: [], haptics: [], clicks: 0, closed: false, confirmAnswer: true };

  function fire(type) {
    (events[type] || []).slice().forEach(function (cb) { cb(); });
  }

  function luminance(hex) {
    const m = /^#?([0-9a-f]{6})$/i.exec(hex || "");
    if (!m) return 1;
    const n = parseInt(m[1], 16);
    return (0.299 * (n >> 16) + 0.587 * ((n >> 8) & 255) + 0.114 * (n & 255)) / 255;
  }

  function applyTheme() {
    const root = document.documentElement;
    Object.keys(themeParams).forEach(function (key) {
      root.style.setProperty("--tg-theme-" + key.replace(/_/g, "-"), themeParams[key]);
    });
    WebApp.colorScheme = luminance(themeParams.bg_color) < 0.5 ? "dark" : "light";
    root.style.setProperty("--tg-color-scheme", WebApp.colorScheme);
    root.style.setProperty("--tg-viewport-height", window.innerHeight + "px");
    root.style.setProperty("--tg-viewport-stable-height", window.innerHeight + "px");
  }

  function bottomButton(id, defaultText) {
    const button = {
      text: defaultText, color: themeParams.button_color || "#2481cc",
      textColor: themeParams.button_text_color || "#ffffff",
      isVisible: false, isActive: true, isProgressVisible: false, _handlers: [], _el: null,
    };
    function draw() {
      if (!document.body) return;
      if (!button._el) {
        button._el = document.createElement("button");
        button._el.id = id;
        button._el.type = "button";
        button._el.addEventListener("click", function () {
          if (!button.isVisible || !button.isActive) return;
          record.clicks += 1;
          button._handlers.slice().forEach(function (cb) { cb(); });
          fire("mainButtonClicked");
        });
        const s = button._el.style;
        s.position = "fixed"; s.left = "0"; s.right = "0"; s.bottom = "0"; s.height = "56px";
        s.border = "0"; s.font = "600 16px system-ui, sans-serif"; s.zIndex = "1000";
        document.body.appendChild(button._el);
      }
      const el = button._el;
      el.textContent = button.isProgressVisible ? "…" : button.text;
      el.style.display = button.isVisible ? "block" : "none";
      el.style.background = button.color;
      el.style.color = button.textColor;
      el.style.opacity = button.isActive ? "1" : "0.6";
      el.dataset.active = String(button.isActive);
      el.dataset.progress = String(button.isProgressVisible);
    }
    Object.assign(button, {
      setText: function (text) { button.text = String(text); draw(); return button; },
      onClick: function (cb) { button._handlers.push(cb); return button; },
      offClick: function (cb) {
        button._handlers = button._handlers.filter(function (h) { return h !== cb; });
        return button;
      },
      show: function () { button.isVisible = true; draw(); return button; },
      hide: function () { button.isVisible = false; draw(); return button; },
      enable: function () { button.isActive = true; draw(); return button; },
      disable: function () { button.isActive = false; draw(); return button; },
      showProgress: function (leaveActive) {
        button.isProgressVisible = true;
        if (!leaveActive) button.isActive = false;
        draw();
        return button;
      },
      hideProgress: function () { button.isProgressVisible = false; button.isActive = true; draw(); return button; },
      setParams: function (p) {
        if ("text" in p) button.text = String(p.text);
        if ("color" in p) button.color = p.color;
        if ("text_color" in p) button.textColor = p.text_color;
        if ("is_active" in p) button.isActive = Boolean(p.is_active);
        if ("is_visible" in p) button.isVisible = Boolean(p.is_visible);
        draw();
        return button;
      },
    });
    document.addEventListener("DOMContentLoaded", draw);
    return button;
  }

  const backHandlers = [];
  const WebApp = {
    initData: initData,
    initDataUnsafe: unsafe,
    version: "8.0",
    platform: "unknown",
    colorScheme: "light",
    themeParams: themeParams,
    isExpanded: true,
    viewportHeight: window.innerHeight,
    viewportStableHeight: window.innerHeight,
    MainButton: null,
    SecondaryButton: null,
    BackButton: {
      isVisible: false,
      show: function () { WebApp.BackButton.isVisible = true; return WebApp.BackButton; },
      hide: function () { WebApp.BackButton.isVisible = false; return WebApp.BackButton; },
      onClick: function (cb) { backHandlers.push(cb); return WebApp.BackButton; },
      offClick: function (cb) {
        const i = backHandlers.indexOf(cb);
        if (i >= 0) backHandlers.splice(i, 1);
        return WebApp.BackButton;
      },
    },
    HapticFeedback: {
      impactOccurred: function (s) { record.haptics.push("impact:" + s); return WebApp.HapticFeedback; },
      notificationOccurred: function (s) { record.haptics.push("notify:" + s); return WebApp.HapticFeedback; },
      selectionChanged: function () { record.haptics.push("selection"); return WebApp.HapticFeedback; },
    },
    ready: function () { record.ready = true; },
    expand: function () { WebApp.isExpanded = true; },
    close: function () { record.closed = true; },
    isVersionAtLeast: function () { return true; },
    setHeaderColor: function () {},
    setBackgroundColor: function () {},
    setBottomBarColor: function () {},
    enableClosingConfirmation: function () {},
    disableClosingConfirmation: function () {},
    enableVerticalSwipes: function () {},
    disableVerticalSwipes: function () {},
    openLink: function (url) { record.links = (record.links || []).concat([url]); },
    openTelegramLink: function (url) { record.links = (record.links || []).concat([url]); },
    sendData: function () { throw new Error("sendData is for keyboard-button Mini Apps only"); },
    onEvent: function (type, cb) { (events[type] = events[type] || []).push(cb); },
    offEvent: function (type, cb) {
      events[type] = (events[type] || []).filter(function (h) { return h !== cb; });
    },
    showAlert: function (message, cb) {
      record.alerts.push(String(message));
      if (cb) setTimeout(cb, 0);
    },
    showConfirm: function (message, cb) {
      record.confirms.push(String(message));
      if (cb) setTimeout(function () { cb(record.confirmAnswer); }, 0);
    },
    showPopup: function (p, cb) {
      record.alerts.push(String(p.message));
      if (cb) setTimeout(function () { cb(null); }, 0);
    },
  };
  WebApp.MainButton = bottomButton("tg-main-button", "CONTINUE");
  WebApp.SecondaryButton = bottomButton("tg-secondary-button", "");
  window.__fakeTelegram = {
    record: record,
    back: function () { backHandlers.slice().forEach(function (cb) { cb(); }); fire("backButtonClicked"); },
    setTheme: function (p) {
      Object.keys(p).forEach(function (k) { themeParams[k] = p[k]; });
      applyTheme();
      fire("themeChanged");
    },
  };
  applyTheme();
  window.Telegram = { WebApp: WebApp };
})();
