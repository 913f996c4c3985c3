// Streams the answer of /api/v1/ai/ask into the page as Server-Sent Events arrive, and lists the
// tools the model uses as it calls them. fetch rather than EventSource: a refused request's
// status and JSON body are then at hand, so a failure is explained without asking the question
// (and paying for the model) a second time, and nothing reconnects on its own.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("ask-ai");
  const form = document.getElementById("ask-form");
  const answer = document.getElementById("answer");
  const status = document.getElementById("ask-status");
  const button = document.getElementById("ask-button");
  const toolList = document.getElementById("ask-tools");

  const showTool = (data) => {
    const item = document.createElement("li");
    const args = typeof data.arguments === "string" ? data.arguments : JSON.stringify(data.arguments);
    item.textContent = `${data.name}(${args})`;
    toolList.appendChild(item);
    toolList.hidden = false;
  };

  // One event block ("event: x\ndata: {...}"); comment lines (": keep-alive") carry nothing.
  const handle = (block) => {
    let event = "message";
    let data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data += line.slice(6);
    }
    if (!data) return null;
    const payload = JSON.parse(data);
    if (event === "tool") {
      status.textContent = `Looking up: ${payload.name}…`;
      showTool(payload);
    } else if (event === "token") {
      status.textContent = "Answering…";
      answer.textContent += payload.text;
    } else if (event === "done") {
      return "Done.";
    } else if (event === "error") {
      return `Error: ${payload.detail}`;
    }
    return null;
  };

  const ask = async (url) => {
    let response;
    try {
      response = await fetch(url, { headers: { Accept: "text/event-stream" }, credentials: "same-origin" });
    } catch (e) {
      return "The answer could not be fetched.";
    }
    if (!response.ok) {
      try {
        const body = await response.json();
        return `Error: ${body.detail || `Request failed (${response.status}).`}`;
      } catch (e) {
        return `Error: Request failed (${response.status}).`;
      }
    }
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return "The stream was interrupted.";
        buffered += value;
        let end;
        while ((end = buffered.indexOf("\n\n")) !== -1) {
          const outcome = handle(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
          if (outcome) return outcome;
        }
      }
    } catch (e) {
      return "The stream was interrupted.";
    } finally {
      reader.cancel().catch(() => {});
    }
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const question = document.getElementById("question").value.trim();
    if (!question || button.disabled) return;
    answer.textContent = "";
    toolList.textContent = "";
    toolList.hidden = true;
    status.textContent = "Thinking…";
    button.disabled = true;
    status.textContent = await ask(`${root.dataset.endpoint}?question=${encodeURIComponent(question)}`);
    button.disabled = false;
  });
});
