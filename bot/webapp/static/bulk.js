// The bulk page: helper `webform` replaces this stub (issue 23). The shell calls
// mount(root, app) once, the first time the tab opens; show(params) on every visit; hide().
export function mount(root, app) {
  root.append(app.el("p", { class: "empty" }, app.t("coming_soon")));
}
export function show(params) {}
export function hide() {}
