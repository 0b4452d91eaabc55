// The query page: runs the editor's query on the SPARQL endpoint (SPARQL 1.1 Protocol, by URL-encoded POST)
// and shows the answer as a table, or as text in the format chosen. Errors are the server's problem
// details (RFC 9457, application/problem+json).
"use strict";

const ENDPOINT = "sparql";
const EXAMPLES = "examples.json";
const RESULTS_JSON = "application/sparql-results+json";
// In table mode a CONSTRUCT or DESCRIBE query has no table: its graph comes back as Turtle text.
const TABLE_ACCEPT = `${RESULTS_JSON}, text/turtle;q=0.9`;
const XSD = { prefix: "xsd", namespace: "http://www.w3.org/2001/XMLSchema#" };
const XSD_STRING = `${XSD.namespace}string`;
const PREFIX_DECLARATION = /^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>/gim;
// A local part that can be written after a prefix without escapes (a simplified SPARQL PN_LOCAL).
const PLAIN_LOCAL_NAME = /^[\w-]*(?:\.[\w-]+)*$/;

const form = document.getElementById("query-form");
const editor = document.getElementById("query");
const format = document.getElementById("format");
const status = document.getElementById("status");
const errorBox = document.getElementById("error");
const output = document.getElementById("output");
const examplesList = document.getElementById("examples");
const examplesStatus = document.getElementById("examples-status");

let running = null; // the AbortController of the query in flight

function element(tag, properties = {}, ...children) {
  const node = Object.assign(document.createElement(tag), properties);
  node.append(...children);
  return node;
}

// The query's own PREFIX declarations, longest namespace first, to write IRIs as prefixed names.
function prefixesOf(query) {
  return [...query.matchAll(PREFIX_DECLARATION)]
    .map(([, prefix = "", namespace]) => ({ prefix, namespace }))
    .sort((a, b) => b.namespace.length - a.namespace.length);
}

function compact(iri, prefixes) {
  for (const { prefix, namespace } of prefixes) {
    const local = iri.slice(namespace.length);
    if (iri.startsWith(namespace) && PLAIN_LOCAL_NAME.test(local)) {
      return `${prefix}:${local}`;
    }
  }
  return `<${iri}>`;
}

// One RDF term of a SPARQL JSON result (https://www.w3.org/TR/sparql11-results-json/#select-encode-terms).
function renderTerm(term, prefixes) {
  if (term.type === "uri") {
    return element("a", { href: term.value, title: term.value, className: "iri" }, compact(term.value, prefixes));
  }
  if (term.type === "bnode") {
    return element("span", { className: "bnode" }, `_:${term.value}`);
  }
  const literal = element("span", { className: "literal" }, element("span", { className: "value" }, term.value));
  if (term["xml:lang"]) {
    literal.append(element("span", { className: "annotation" }, `@${term["xml:lang"]}`));
  } else if (term.datatype && term.datatype !== XSD_STRING) {
    literal.append(element("span", { className: "annotation" }, `^^${compact(term.datatype, [...prefixes, XSD])}`));
  }
  return literal;
}

function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function showTable(results, prefixes, took) {
  if ("boolean" in results) {
    status.textContent = `The answer is ${results.boolean} (${took} ms).`;
    output.replaceChildren(element("p", { className: "boolean" }, String(results.boolean)));
    return;
  }
  const variables = results.head.vars;
  const rows = results.results.bindings;
  status.textContent = `${plural(rows.length, "row")} (${took} ms).`;
  const header = element("tr", {}, ...variables.map((name) => element("th", { scope: "col" }, `?${name}`)));
  const cell = (row, name) => element("td", {}, row[name] ? renderTerm(row[name], prefixes) : "");
  const body = rows.map((row) => element("tr", {}, ...variables.map((name) => cell(row, name))));
  const table = element("table", {}, element("thead", {}, header), element("tbody", {}, ...body));
  const scroller = { className: "table-scroll", tabIndex: 0, role: "region", ariaLabel: "Result table" };
  output.replaceChildren(element("div", scroller, table));
}

function showText(text, mediaType, took) {
  status.textContent = `${mediaType || "Text"}, ${plural(text.length, "character")} (${took} ms).`;
  output.replaceChildren(element("pre", { className: "raw", tabIndex: 0 }, text));
}

function showFailure(title, detail) {
  status.textContent = "The query failed.";
  errorBox.replaceChildren(element("p", { className: "error-title" }, title), element("p", {}, detail));
  errorBox.hidden = false;
}

// An error answer: the server's problem details when it sends them, else the status and body as they are.
async function showError(response, mediaType) {
  const body = await response.text();
  if (mediaType === "application/problem+json") {
    const problem = JSON.parse(body);
    showFailure(`${problem.status} ${problem.title}`, problem.detail);
  } else {
    showFailure(`${response.status} ${response.statusText}`, body);
  }
}

async function run() {
  running?.abort();
  const controller = (running = new AbortController());
  const query = editor.value;
  const table = format.value === "table";
  errorBox.hidden = true;
  output.replaceChildren();
  status.textContent = "Running the query…";
  form.setAttribute("aria-busy", "true");
  const started = performance.now();
  try {
    const response = await fetch(ENDPOINT, {
      method: "POST",
      headers: { Accept: table ? TABLE_ACCEPT : format.value, "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ query }),
      signal: controller.signal,
    });
    const mediaType = (response.headers.get("Content-Type") || "").split(";")[0].trim();
    const took = Math.round(performance.now() - started);
    if (!response.ok) {
      await showError(response, mediaType);
    } else if (table && mediaType === RESULTS_JSON) {
      showTable(await response.json(), prefixesOf(query), took);
    } else {
      showText(await response.text(), mediaType, took);
    }
  } catch (error) {
    if (error.name !== "AbortError") {
      showFailure("No usable answer from the server", String(error));
    }
  } finally {
    if (running === controller) {
      form.removeAttribute("aria-busy");
      running = null;
    }
  }
}

function choose(example, button) {
  examplesList.querySelector("[aria-current]")?.removeAttribute("aria-current");
  button.setAttribute("aria-current", "true");
  editor.value = example.query;
  run();
}

async function loadExamples() {
  try {
    const response = await fetch(EXAMPLES, { headers: { Accept: "application/json" } });
    if (!response.ok) {
      throw new Error(`${response.status} ${response.statusText}`);
    }
    const examples = await response.json();
    examplesList.replaceChildren(
      ...examples.map((example) => {
        const button = element("button", { type: "button", title: example.name }, example.question);
        button.addEventListener("click", () => choose(example, button));
        return element("li", {}, button);
      }),
    );
  } catch (error) {
    examplesStatus.textContent = `The examples could not be loaded: ${error.message}`;
  } finally {
    examplesList.removeAttribute("aria-busy");
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  run();
});
editor.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
    event.preventDefault();
    run();
  }
});
loadExamples();
