// Streams the answer of /api/v1/ai/ask into the page as Server-Sent Events arrive.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const root = document.getElementById("ask-ai");
  const form = document.getElementById("ask-form");
  const answer = document.getElementById("answer");
  const status = document.getElementById("ask-status");
  const button = document.getElementById("ask-button");
  let source = null;

  const finish = (message) => {
    if (source) { source.close(); source = null; }
    status.textContent = message;
    button.disabled = false;
  };

  // EventSource hides the body of a refused request (503, 429...): fetch it to say why.
  const explainFailure = async (url) => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      const body = await response.json();
      return body.detail || `Request failed (${response.status}).`;
    } catch (e) {
      return "The answer could not be fetched.";
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = document.getElementById("question").value.trim();
    if (!question) return;
    const url = `${root.dataset.endpoint}?question=${encodeURIComponent(question)}`;
    answer.textContent = "";
    status.textContent = "Thinking…";
    button.disabled = true;
    let started = false;
    source = new EventSource(url);
    source.addEventListener("token", (e) => {
      started = true;
      status.textContent = "Answering…";
      answer.textContent += JSON.parse(e.data).text;
    });
    source.addEventListener("done", () => finish("Done."));
    source.addEventListener("error", async (e) => {
      if (e.data) {  // an error event sent by the server after the stream started
        finish(`Error: ${JSON.parse(e.data).detail}`);
      } else if (source) {
        source.close();
        finish(started ? "The stream was interrupted." : `Error: ${await explainFailure(url)}`);
      }
    });
  });
});
