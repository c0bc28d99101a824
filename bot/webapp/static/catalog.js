// The catalog page (issue 23): filled in by the catalog work.
export function mount(root, app) {
  root.append(app.el("p", { class: "empty" }, app.t("loading")));
}
