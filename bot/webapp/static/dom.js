// Small DOM helpers shared by the pages: no framework, no build step.

// el("div", {class: "row", onclick: f}, child, "text", ...): an element; text is never HTML.
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (key === "dataset") {
      Object.assign(node.dataset, value);
    } else if (value === true) {
      node.setAttribute(key, "");
    } else {
      node.setAttribute(key, String(value));
    }
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

// Panel names and service names arrive as text and stay text (el() never parses HTML), but
// panels put markup in names ("<b>NEW</b> Likes"): its tags are dropped for display.
export function plain(text) {
  return String(text ?? "").replace(/<[^<>]*>/g, " ").replace(/\s+/g, " ").trim();
}
