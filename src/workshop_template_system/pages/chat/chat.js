// The chat page: asks this agent (workshop_chat) over A2A JSON-RPC and shows the answer as it streams in.
// Text from the agent is only ever set as textContent, never parsed as HTML.
"use strict";

const ENDPOINT = new URL("./", window.location.href); // the agent's A2A JSON-RPC endpoint (POST /)
const TOKEN_KEY = "workshop-chat-token";
const MODES = {
  extractive: "Quoted from the workshop",
  llm: "Written by the model from the workshop's pages",
};

const $ = (id) => document.getElementById(id);
const ui = {
  askForm: $("ask-form"), workshop: $("workshop"), question: $("question"), ask: $("ask"),
  tokenForm: $("token-form"), token: $("token"),
  status: $("status"), error: $("error"),
  answer: $("answer"), mode: $("mode"), text: $("answer-text"), warnings: $("warnings"), citations: $("citations"),
};

class AgentError extends Error {}
class Unauthorized extends AgentError {}

// ---- talking to the agent ----------------------------------------------------------------------------------------

function headers(streaming) {
  const result = { "Content-Type": "application/json", "A2A-Version": "1.0" };
  result.Accept = streaming ? "text/event-stream" : "application/json";
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) result.Authorization = `Bearer ${token}`;
  return result;
}

// An id for a message or request (crypto.randomUUID needs HTTPS; getRandomValues does not).
function newId() {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function request(method, skill, input) {
  const message = {
    messageId: newId(),
    role: "ROLE_USER",
    parts: [{ data: { skill, input } }],
  };
  return { jsonrpc: "2.0", id: newId(), method, params: { message } };
}

async function post(method, skill, input, streaming) {
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: "POST", headers: headers(streaming), body: JSON.stringify(request(method, skill, input)),
    });
  } catch {
    throw new AgentError("The chat agent cannot be reached. Check your connection and try again.");
  }
  if (response.status === 401) {
    const sent = sessionStorage.getItem(TOKEN_KEY);
    throw new Unauthorized(sent ? "That access token was not accepted: check it and enter it again."
      : "This chat needs an access token.");
  }
  if (!response.ok) throw new AgentError(`The chat agent answered HTTP ${response.status}. Try again in a moment.`);
  return response;
}

function rpcResult(reply) {
  if (reply.error) throw new AgentError(`The chat agent refused the request: ${reply.error.message || "unknown error"}`);
  return reply.result;
}

function partsText(parts) {
  return (parts || []).map((part) => part.text || "").join("");
}

function partsData(parts) {
  const part = (parts || []).find((item) => item.data !== undefined);
  return part ? part.data : undefined;
}

function checkState(status) {
  const state = status && status.state;
  if (state === "TASK_STATE_FAILED" || state === "TASK_STATE_REJECTED" || state === "TASK_STATE_CANCELED") {
    const reason = partsText(status.message && status.message.parts) || "no reason given";
    const what = { TASK_STATE_FAILED: "could not answer", TASK_STATE_REJECTED: "refused the question" };
    throw new AgentError(`The chat agent ${what[state] || "stopped"}: ${reason}`);
  }
  return state;
}

async function callSkill(skill, input) {
  const response = await post("SendMessage", skill, input, false);
  const task = rpcResult(await response.json()).task;
  checkState(task.status);
  const result = (task.artifacts || []).find((artifact) => artifact.name === "result");
  return result ? partsData(result.parts) : undefined;
}

// Reads the Server-Sent Events of a streaming call; calls onResult with each JSON-RPC result.
async function stream(skill, input, onResult) {
  const response = await post("SendStreamingMessage", skill, input, true);
  if (!(response.headers.get("content-type") || "").startsWith("text/event-stream")) {
    onResult(rpcResult(await response.json())); // refused before it started: a plain JSON-RPC reply
    return;
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    let read;
    try {
      read = await reader.read();
    } catch {
      throw new AgentError("The connection to the chat agent was lost before the answer finished. Try again.");
    }
    const { value, done } = read;
    if (done) break;
    buffer += value.replace(/\r\n?/g, "\n");
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block.split("\n").filter((line) => line.startsWith("data:"))
        .map((line) => line.slice(5).replace(/^ /, "")).join("\n");
      if (data) onResult(rpcResult(JSON.parse(data)));
    }
  }
}

// ---- showing the answer ------------------------------------------------------------------------------------------

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// Inline text: `code` spans and [n] citation markers linked to the sources list.
function appendInline(parent, text) {
  for (const piece of text.split(/(`[^`\n]+`|\[\d+\])/)) {
    if (!piece) continue;
    const code = /^`([^`\n]+)`$/.exec(piece);
    const cite = /^\[(\d+)\]$/.exec(piece);
    if (code) {
      parent.append(element("code", "", code[1]));
    } else if (cite) {
      const link = element("a", "cite-ref", `[${cite[1]}]`);
      link.href = `#cite-${cite[1]}`;
      link.setAttribute("aria-label", `source ${cite[1]}`);
      parent.append(link);
    } else {
      parent.append(document.createTextNode(piece));
    }
  }
}

function appendProse(parent, text) {
  for (const paragraph of text.split(/\n{2,}/)) {
    const lines = paragraph.split("\n").filter((line) => line.trim());
    if (!lines.length) continue;
    if (lines.every((line) => line.startsWith("- "))) {
      const list = element("ul");
      for (const line of lines) appendInline(list.appendChild(element("li")), line.slice(2));
      parent.append(list);
    } else {
      appendInline(parent.appendChild(element("p")), lines.join("\n"));
    }
  }
}

// The answer so far: prose, and ``` fenced code as <pre><code> (an unclosed fence is code still arriving).
function renderAnswer(text) {
  const nodes = document.createDocumentFragment();
  const fence = /```([\w+-]*)[^\n]*\n?([\s\S]*?)(?:```|$)/g;
  let last = 0;
  for (let match; (match = fence.exec(text)) && match[0];) {
    appendProse(nodes, text.slice(last, match.index));
    const pre = element("pre");
    const code = pre.appendChild(element("code", "", match[2].replace(/\n$/, "")));
    if (match[1]) code.dataset.language = match[1];
    nodes.append(pre);
    last = fence.lastIndex;
  }
  appendProse(nodes, text.slice(last));
  ui.text.replaceChildren(nodes);
}

function safeUrl(url) {
  try {
    const parsed = new URL(url, window.location.href);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
  } catch {
    return null;
  }
}

function renderCitations(citations) {
  $("citations-heading").hidden = !citations.length;
  ui.citations.replaceChildren(...citations.map((citation, number) => {
    const item = element("li");
    item.id = `cite-${number + 1}`;
    const section = citation.title && citation.title !== citation.page_title ? citation.title : "";
    const label = [citation.page_title || citation.page, section].filter(Boolean).join(" — ");
    const url = citation.url && safeUrl(citation.url);
    if (url) {
      const link = item.appendChild(element("a", "", label));
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
    } else {
      item.append(element("span", "", label));
    }
    item.append(element("span", "page", citation.page));
    return item;
  }));
}

function renderResult(result) {
  renderAnswer(result.answer || "");
  const found = result.found !== false;
  ui.answer.classList.toggle("not-found", !found);
  ui.mode.textContent = found ? MODES[result.mode] || result.mode : "Not found in the workshop";
  $("citations-heading").textContent = found ? "Sources" : "Closest pages";
  ui.warnings.replaceChildren(...(result.warnings || []).map((warning) => element("li", "", warning)));
  renderCitations(result.citations || []);
}

// ---- the page ----------------------------------------------------------------------------------------------------

function showError(error) {
  if (error instanceof Unauthorized) {
    sessionStorage.removeItem(TOKEN_KEY); // none was given, or it was wrong
    ui.tokenForm.hidden = false;
    ui.token.focus();
  }
  ui.error.textContent = error instanceof AgentError ? error.message : `Something went wrong: ${error.message}`;
  ui.error.hidden = false;
}

function clearError() {
  ui.error.hidden = true;
  ui.error.textContent = "";
}

async function loadWorkshops(wanted) {
  const data = await callSkill("list_workshops", {});
  const names = new Set();
  ui.workshop.replaceChildren(element("option", "", "All workshops"));
  ui.workshop.firstChild.value = "";
  for (const item of (data && data.workshops) || []) {
    const option = element("option", "", item.title ? `${item.title} (${item.workshop})` : item.workshop);
    option.value = item.workshop;
    names.add(item.workshop);
    ui.workshop.append(option);
  }
  if (wanted && !names.has(wanted)) {
    const option = element("option", "", `${wanted} (not indexed)`);
    option.value = wanted;
    ui.workshop.append(option);
  }
  if (wanted) ui.workshop.value = wanted;
  if (!names.size) ui.status.textContent = "No workshop is indexed yet: ask your instructor.";
}

async function ask() {
  if (ui.ask.disabled) return; // still answering the last question
  const question = ui.question.value.trim();
  if (question.length < 2) {
    showError(new AgentError("Type a question first."));
    return;
  }
  const input = { question };
  if (ui.workshop.value) input.workshop = ui.workshop.value;
  clearError();
  ui.ask.disabled = true;
  ui.status.textContent = "Searching the workshop…";
  ui.answer.hidden = false;
  ui.answer.setAttribute("aria-busy", "true");
  ui.answer.classList.remove("not-found");
  for (const node of [ui.mode, ui.text, ui.warnings]) node.replaceChildren();
  renderCitations([]);
  let answer = "";
  let state;
  try {
    await stream("ask", input, (result) => {
      const update = result.artifactUpdate;
      const status = result.statusUpdate ? result.statusUpdate.status : result.task && result.task.status;
      if (status) {
        state = checkState(status);
      } else if (update && update.artifact.name === "answer") {
        answer = (update.append ? answer : "") + partsText(update.artifact.parts);
        ui.status.textContent = "Answering…";
        renderAnswer(answer);
      } else if (update && update.artifact.name === "result") {
        renderResult(partsData(update.artifact.parts) || {});
      }
    });
    if (state !== "TASK_STATE_COMPLETED") throw new AgentError("The answer was cut off before it finished. Try again.");
    ui.status.textContent = "";
  } catch (error) {
    ui.status.textContent = "";
    if (!answer) ui.answer.hidden = true;
    showError(error);
  } finally {
    ui.answer.setAttribute("aria-busy", "false");
    ui.ask.disabled = false;
  }
}

async function start() {
  const params = new URLSearchParams(window.location.search);
  const question = params.get("q");
  if (question) ui.question.value = question;
  try {
    await loadWorkshops(params.get("workshop"));
  } catch (error) {
    showError(error);
    return;
  }
  if (question) await ask();
}

ui.askForm.addEventListener("submit", (event) => {
  event.preventDefault();
  ask();
});
ui.question.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    ui.askForm.requestSubmit();
  }
});
ui.tokenForm.addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, ui.token.value.trim());
  ui.token.value = "";
  ui.tokenForm.hidden = true;
  clearError();
  start();
});
start();
