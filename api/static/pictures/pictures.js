// A picture page: fills the source filter from /sources, loads the picture's SVG for the filters chosen,
// inlines it, and shows the details (quotes, words of the source, source document) of what is clicked.
"use strict";

(function () {
  const name = document.body.dataset.picture;
  const form = document.getElementById("filters");
  const picture = document.getElementById("picture");
  const status = document.getElementById("status");
  const error = document.getElementById("error");
  const detailsBody = document.getElementById("details-body");
  const FIELDS = [
    ["targetLabel", "Target"], ["target_label", "Target"], ["label", "What"], ["detail", "About"],
    ["quantity", "How much"], ["polarity", "Polarity"], ["strength", "Strength"], ["mode", "Reported as"],
    ["time_label", "Time"], ["year", "Year"], ["day", "Day"], ["place", "Place"], ["when", "Time against the report"],
  ];

  function parameters() {
    const params = new URLSearchParams();
    for (const field of ["source", "time", "by"]) {
      const value = form.elements[field].value;
      if (value && !(field === "time" && value === "all") && !(field === "by" && value === "topic")) {
        params.set(field, value);
      }
    }
    return params;
  }

  function element(tag, text, className) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  async function problem(response) {
    try {
      const body = await response.json();
      return `${body.status} ${body.title}: ${body.detail}`;
    } catch (ignored) {
      return `${response.status} ${response.statusText}`;
    }
  }

  async function loadSources() {
    const response = await fetch("../sources?limit=100", { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const page = await response.json();
    const select = form.elements.source;
    for (const source of page.items) {
      const option = element("option", source.title || source.id);
      option.value = source.id;
      select.append(option);
    }
  }

  async function load() {
    const query = parameters().toString();
    const suffix = query ? `?${query}` : "";
    document.getElementById("download-svg").href = `${name}.svg${suffix}`;
    document.getElementById("download-png").href = `${name}.png${suffix}`;
    status.textContent = "Drawing the picture…";
    error.hidden = true;
    const response = await fetch(`${name}.svg${suffix}`);
    if (!response.ok) {
      error.textContent = await problem(response);
      error.hidden = false;
      status.textContent = "The picture could not be drawn.";
      return;
    }
    const parsed = new DOMParser().parseFromString(await response.text(), "image/svg+xml");
    const svg = document.importNode(parsed.documentElement, true);
    picture.replaceChildren(svg);
    const shown = svg.querySelectorAll("[data-details]").length;
    status.textContent = `${shown} items drawn. Hover for a summary, click for the quotes.`;
  }

  function describe(entry) {
    const block = element("section", null, "entry");
    const list = element("dl");
    for (const [key, heading] of FIELDS) {
      if (entry[key] !== undefined && entry[key] !== null && entry[key] !== "") {
        list.append(element("dt", heading), element("dd", String(entry[key])));
      }
    }
    block.append(list);
    for (const quote of entry.quotes || []) block.append(element("blockquote", `“${quote}”`));
    for (const words of entry.words || []) block.append(element("p", `The source's words: “${words}”`, "words"));
    const title = entry.source_title || entry.sourceTitle;
    if (entry.source) {
      const line = element("p", "Source: ");
      const link = element("a", title || entry.source);
      link.href = entry.source;
      line.append(link);
      block.append(line);
    }
    return block;
  }

  function show(target) {
    for (const old of picture.querySelectorAll(".selected")) old.classList.remove("selected");
    target.classList.add("selected");
    const entries = [].concat(JSON.parse(target.dataset.details));
    const title = target.querySelector("title");
    detailsBody.replaceChildren(element("p", title ? title.textContent.split("\n")[0] : "", "summary"));
    for (const entry of entries) detailsBody.append(describe(entry));
  }

  picture.addEventListener("click", (event) => {
    const target = event.target.closest("[data-details]");
    if (target) show(target);
  });
  picture.addEventListener("keydown", (event) => {
    const target = event.target.closest && event.target.closest("[data-details]");
    if (target && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      show(target);
    }
  });
  form.addEventListener("change", () => load());
  form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  loadSources().finally(load);
})();
