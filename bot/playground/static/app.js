// The playground's page: a small Telegram client for one bot, over the playground's JSON API.
// Messages are drawn from Telegram's text and entities with DOM text nodes, never innerHTML,
// so nothing the bot or a person typed can become markup.
"use strict";

const $ = (selector) => document.querySelector(selector);
const state = {
  config: null,
  person: null, // the user id typing
  chat: null, // the open chat's id
  version: -1,
  poll: null, // AbortController of the running long poll
  drawn: new Map(), // message id -> the JSON it was drawn from
  replyTo: null,
  inline: { timer: null, queryId: null, asked: "" },
  noticesSeen: 0,
};

// -- talking to the playground -----------------------------------------------------------

async function api(path, body, signal) {
  const options = body === undefined ? { signal } : {
    method: "POST", signal, body: JSON.stringify(body),
    headers: { "Content-Type": "application/json" },
  };
  const response = await fetch(path, options);
  const data = await response.json();
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
}

function me() {
  return state.config.people.find((p) => p.user_id === state.person);
}

function inGroup() {
  return state.chat === state.config.group.id;
}

// -- chats and people ----------------------------------------------------------------------

function drawPeople() {
  const select = $("#person");
  for (const person of state.config.people) {
    const option = document.createElement("option");
    option.value = String(person.user_id);
    option.textContent = person.name;
    select.append(option);
  }
  select.addEventListener("change", () => {
    state.person = Number(select.value);
    openChat(inGroup() ? state.chat : state.person);
  });
}

function drawChatList() {
  const list = $("#chat-list");
  list.replaceChildren();
  const chats = [
    { id: state.person, title: state.config.bot.name, about: "private chat" },
    { id: state.config.group.id, title: state.config.group.title, about: "group" },
  ];
  for (const chat of chats) {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.chat = String(chat.id);
    button.textContent = chat.title;
    const about = document.createElement("small");
    about.textContent = chat.about;
    button.append(about);
    if (chat.id === state.chat) button.setAttribute("aria-current", "true");
    button.addEventListener("click", () => openChat(chat.id));
    item.append(button);
    list.append(item);
  }
}

function openChat(chatId) {
  state.chat = chatId;
  state.version = -1;
  state.drawn.clear();
  setReply(null);
  closeInline();
  $("#messages").replaceChildren();
  $("#chat-title").textContent = inGroup() ? state.config.group.title : state.config.bot.name;
  $("#chat-about").textContent = inGroup()
    ? `${me().name} and colleagues, with @${state.config.bot.username}. The bot answers /ask, a mention or a reply to it.`
    : `${me().name}'s private chat with @${state.config.bot.username}. Any text is a question.`;
  $("#composer-text").placeholder = inGroup()
    ? "Say something, /ask a question, or @bot …" : "Ask a question…";
  drawChatList();
  follow();
}

// -- following the open chat (long polling) ------------------------------------------------

async function follow() {
  if (state.poll) state.poll.abort();
  const poll = new AbortController();
  state.poll = poll;
  const chat = state.chat;
  while (!poll.signal.aborted) {
    try {
      const data = await api(`/api/chats/${chat}?after=${state.version}`, undefined, poll.signal);
      if (poll.signal.aborted || chat !== state.chat) return;
      state.version = data.version;
      drawMessages(data.messages);
      drawMenu(data.commands);
      drawNotices(data.notices);
    } catch (error) {
      if (poll.signal.aborted) return;
      toast(`Lost the playground (${error.message}); retrying…`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

function drawMessages(messages) {
  const list = $("#messages");
  const seen = new Set();
  let added = false;
  for (const message of messages) {
    seen.add(message.id);
    const json = JSON.stringify(message);
    if (state.drawn.get(message.id) === json) continue;
    const old = list.querySelector(`li[data-message-id="${message.id}"]`);
    const item = drawMessage(message);
    if (old) {
      const hadFocus = old.contains(document.activeElement);
      old.replaceWith(item);
      if (hadFocus) item.focus();
    } else {
      list.append(item);
      added = true;
    }
    state.drawn.set(message.id, json);
  }
  for (const item of [...list.children]) {
    if (!seen.has(Number(item.dataset.messageId))) item.remove();
  }
  if (added) list.lastElementChild.scrollIntoView({ block: "end" });
}

function drawMessage(message) {
  const item = document.createElement("li");
  const mine = message.from.id === state.person;
  item.className = `msg ${message.from.bot ? "from-bot" : mine ? "from-me" : "from-other"}`;
  item.dataset.messageId = String(message.id);
  item.tabIndex = -1;
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  const sender = document.createElement("div");
  sender.className = "sender";
  sender.textContent = message.from.bot ? state.config.bot.name : mine ? "You" : message.from.name;
  if (message.via) sender.textContent += ` via @${message.via}`;
  bubble.append(sender);
  if (message.reply_to) {
    const quote = document.createElement("blockquote");
    quote.className = "quote";
    quote.textContent = `${message.reply_to.name}: ${message.reply_to.text}`;
    bubble.append(quote);
  }
  const text = document.createElement("div");
  text.className = "text";
  text.append(formatted(message.text, message.entities));
  bubble.append(text);
  if (message.edited) {
    const edited = document.createElement("div");
    edited.className = "edited";
    edited.textContent = "edited";
    bubble.append(edited);
  }
  item.append(bubble);
  if (message.keyboard.length) item.append(keyboard(message));
  item.append(actions(message));
  return item;
}

function actions(message) {
  const bar = document.createElement("div");
  bar.className = "actions";
  if (message.explainable) {
    bar.append(smallButton("Explain", "explain", () => explain(message)));
  }
  if (inGroup()) {
    bar.append(smallButton("Reply", "reply", () => setReply(message)));
  }
  return bar;
}

function smallButton(label, kind, onClick) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = kind;
  button.textContent = label;
  button.addEventListener("click", onClick);
  return button;
}

// -- Telegram's entities -------------------------------------------------------------------

// Text and entities (UTF-16 offsets, like JavaScript strings) as DOM nodes.
function formatted(text, entities) {
  const fragment = document.createDocumentFragment();
  const sorted = [...entities].sort((a, b) => a.offset - b.offset || b.length - a.length);
  build(fragment, text, 0, text.length, sorted);
  return fragment;
}

function build(parent, text, start, end, entities) {
  let position = start;
  let index = 0;
  while (index < entities.length) {
    const entity = entities[index];
    const stop = Math.min(entity.offset + entity.length, end);
    let next = index + 1;
    while (next < entities.length && entities[next].offset < stop) next++;
    if (entity.offset >= position && entity.offset < end) {
      if (entity.offset > position) parent.append(text.slice(position, entity.offset));
      const node = element(entity, text.slice(entity.offset, stop));
      parent.append(node);
      build(node, text, entity.offset, stop, entities.slice(index + 1, next));
      position = stop;
    }
    index = next;
  }
  if (position < end) parent.append(text.slice(position, end));
}

const TAGS = {
  bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
  blockquote: "blockquote", expandable_blockquote: "blockquote",
};

function element(entity, content) {
  if (entity.type in TAGS) return document.createElement(TAGS[entity.type]);
  if (entity.type === "text_link" || entity.type === "url") {
    return link(entity.type === "url" ? content : entity.url);
  }
  if (entity.type === "bot_command") {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "command";
    button.addEventListener("click", () => say(commandFor(content)));
    return button;
  }
  const span = document.createElement("span");
  span.className = entity.type.replace(/_/g, "-");
  if (entity.type === "spoiler") {
    span.tabIndex = 0;
    span.title = "Spoiler: select to show";
    const reveal = () => span.classList.add("revealed");
    span.addEventListener("click", reveal);
    span.addEventListener("keydown", (event) => event.key === "Enter" && reveal());
  }
  return span;
}

// A link as Telegram opens it: a deep link to this bot opens the private chat on it.
function link(href) {
  let url = null;
  try {
    url = new URL(href);
  } catch {
    return document.createElement("span");
  }
  const anchor = document.createElement("a");
  const start = deepLink(url);
  if (start !== null) {
    anchor.href = url.href;
    anchor.className = "deep-link";
    anchor.addEventListener("click", (event) => {
      event.preventDefault();
      startPrivate(start);
    });
    return anchor;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return document.createElement("span");
  }
  anchor.href = url.href;
  anchor.target = "_blank";
  anchor.rel = "noopener noreferrer";
  return anchor;
}

// The start parameter of t.me/<this bot>?start=..., "" for a link without one, else null.
function deepLink(url) {
  const bot = `/${state.config.bot.username}`.toLowerCase();
  const telegram = url.hostname === "t.me" || url.hostname === "telegram.me";
  if (!telegram || url.pathname.toLowerCase() !== bot) return null;
  return url.searchParams.get("start") || "";
}

function startPrivate(payload) {
  openChat(state.person);
  say(payload ? `/start ${payload}` : "/start");
}

function commandFor(command) {
  const bare = command.split("@")[0];
  return inGroup() ? `${bare}@${state.config.bot.username}` : bare;
}

// -- inline keyboards ----------------------------------------------------------------------

function keyboard(message) {
  const board = document.createElement("div");
  board.className = "keyboard";
  board.setAttribute("role", "group");
  board.setAttribute("aria-label", "Buttons");
  for (const row of message.keyboard) {
    const line = document.createElement("div");
    line.className = "row";
    for (const key of row) line.append(keyButton(message, key));
    board.append(line);
  }
  return board;
}

function keyButton(message, key) {
  if (key.url) {
    const anchor = link(key.url);
    anchor.classList.add("key");
    anchor.textContent = key.text;
    return anchor;
  }
  const button = document.createElement("button");
  button.type = "button";
  button.className = "key";
  button.textContent = key.text;
  if (key.callback_data !== undefined) {
    button.addEventListener("click", () => press(button, message, key.callback_data));
  } else if (key.switch_inline_query_current_chat !== undefined) {
    button.addEventListener("click", () => startInline(key.switch_inline_query_current_chat));
  } else {
    button.disabled = true;
  }
  return button;
}

async function press(button, message, data) {
  button.setAttribute("aria-busy", "true");
  button.disabled = true;
  try {
    const answer = await api(`/api/chats/${state.chat}/press`, {
      user_id: state.person, message_id: message.id, data,
    });
    if (answer.alert) showAlert(answer.text);
    else if (answer.text) toast(answer.text);
  } catch (error) {
    toast(`The button did nothing: ${error.message}`);
  } finally {
    button.removeAttribute("aria-busy");
    button.disabled = false;
  }
}

// -- typing --------------------------------------------------------------------------------

async function say(text) {
  try {
    await api(`/api/chats/${state.chat}/messages`, {
      user_id: state.person, text, reply_to: state.replyTo ? state.replyTo.id : null,
    });
    setReply(null);
  } catch (error) {
    toast(`Not sent: ${error.message}`);
  }
}

function setReply(message) {
  state.replyTo = message;
  $("#replying").hidden = !message;
  if (message) {
    const name = message.from.bot ? state.config.bot.name : message.from.name;
    $("#replying-text").textContent = `Replying to ${name}: ${message.text.slice(0, 60)}`;
    $("#composer-text").focus();
  }
}

function drawMenu(commands) {
  const menu = $("#menu");
  menu.replaceChildren();
  for (const command of commands) {
    const item = document.createElement("li");
    const button = smallButton(`/${command.command}`, "menu-command", () => {
      toggleMenu(false);
      say(commandFor(`/${command.command}`));
    });
    const about = document.createElement("span");
    about.textContent = command.description;
    button.append(about);
    item.append(button);
    menu.append(item);
  }
  $("#menu-button").hidden = commands.length === 0;
}

function toggleMenu(open) {
  $("#menu").hidden = !open;
  $("#menu-button").setAttribute("aria-expanded", String(open));
}

// -- inline mode ---------------------------------------------------------------------------

// "@bot question" typed at the start of the message box asks the bot inline, as in Telegram.
function inlineQuery(text) {
  const prefix = `@${state.config.bot.username}`.toLowerCase();
  const lower = text.toLowerCase();
  if (lower === prefix) return "";
  return lower.startsWith(`${prefix} `) ? text.slice(prefix.length + 1) : null;
}

function onTyping() {
  const query = inlineQuery($("#composer-text").value);
  clearTimeout(state.inline.timer);
  if (query === null) {
    closeInline();
    return;
  }
  state.inline.timer = setTimeout(() => askInline(query), 300);
}

async function askInline(query) {
  state.inline.asked = query;
  try {
    const answer = await api("/api/inline", { user_id: state.person, query });
    if (state.inline.asked !== query) return; // a newer keystroke asked since
    state.inline.queryId = answer.query_id;
    drawInline(answer);
  } catch (error) {
    toast(`Inline query failed: ${error.message}`);
  }
}

function drawInline(answer) {
  const panel = $("#inline-results");
  const list = $("#inline-list");
  list.replaceChildren();
  const top = $("#inline-button");
  top.replaceChildren();
  if (answer.button) {
    top.append(smallButton(answer.button.text, "inline-switch", () => {
      closeInline();
      $("#composer-text").value = "";
      startPrivate(answer.button.start_parameter || "");
    }));
  }
  for (const result of answer.results) {
    const item = document.createElement("li");
    const button = smallButton("", "inline-result", () => sendInline(result.id));
    button.dataset.resultId = result.id;
    const title = document.createElement("strong");
    title.textContent = result.title;
    const description = document.createElement("span");
    description.textContent = result.description;
    button.append(title, description);
    item.append(button);
    list.append(item);
  }
  if (!answer.results.length) {
    const item = document.createElement("li");
    item.className = "empty";
    item.textContent = "No results.";
    list.append(item);
  }
  panel.hidden = false;
}

async function sendInline(resultId) {
  try {
    await api(`/api/chats/${state.chat}/inline`, {
      user_id: state.person, query_id: state.inline.queryId, result_id: resultId,
    });
    $("#composer-text").value = "";
    closeInline();
    $("#composer-text").focus();
  } catch (error) {
    toast(`Not sent: ${error.message}`);
  }
}

function closeInline() {
  clearTimeout(state.inline.timer);
  state.inline.asked = null;
  $("#inline-results").hidden = true;
}

function startInline(query) {
  const box = $("#composer-text");
  box.value = `@${state.config.bot.username} ${query || ""}`;
  box.focus();
  onTyping();
}

// -- explain -------------------------------------------------------------------------------

async function explain(message) {
  const body = $("#explain-body");
  body.replaceChildren(paragraph("Working it out…"));
  $("#explain").showModal();
  try {
    const data = await api(`/api/chats/${state.chat}/messages/${message.id}/explain`);
    body.replaceChildren(...explanation(data));
  } catch (error) {
    body.replaceChildren(paragraph(`Could not explain: ${error.message}`));
  }
}

function explanation(data) {
  if (data.question === null) return [paragraph(data.note)];
  const parts = [paragraph(`The question, as the bot reads it (${data.note}): “${data.question}”`)];
  data.explanations.forEach((one, index) => {
    const section = document.createElement("section");
    section.className = "explained";
    if (data.explanations.length > 1) {
      section.append(heading(`Question ${index + 1} of ${data.explanations.length}: “${one.question}”`));
    }
    section.append(...explainOne(one));
    parts.push(section);
  });
  parts.push(paragraph("Computed now, by the matcher the bot answers with, from the knowledge it serves now."));
  return parts;
}

function explainOne(one) {
  const band = paragraph("");
  band.className = `band band-${one.band}`;
  band.append(strong("Band: "), `${one.band_name} (score ${one.score.toFixed(2)})`);
  const asked = paragraph("");
  asked.append(strong("Service: "), one.service
    ? `${one.service} (${one.service_stated ? "named in the question" : "chosen with /service"})`
    : "not known", "  ·  ", strong("Language: "), one.language);
  const parts = [band, asked];
  if (one.answer_id) parts.push(labelled("Answer: ", `${one.answer_id}${one.verdict ? ` (${one.verdict})` : ""}`));
  parts.push(heading("Why not confident"));
  parts.push(one.reasons.length ? list(one.reasons) : paragraph("It is confident: every test passed."));
  parts.push(heading("The words it read, and their weight"));
  parts.push(table(["word", "weight", "in the knowledge base"],
    one.words.map((w) => [w.token, bar(w.weight, Math.max(...one.words.map((x) => x.weight))), w.known ? "yes" : "no: counts against every entry"]),
    "words"));
  parts.push(heading("Top candidates"));
  parts.push(one.candidates.length ? table(["entry", "score", "likely", "preference", "words matched", "coverage"],
    one.candidates.map((c) => [`${c.title} (${c.entry_id})`, bar(c.score, 1), `${Math.round(c.likely * 100)}%`, c.preference.toFixed(3), String(c.evidence), `${Math.round(c.coverage * 100)}%`]),
    "candidates") : paragraph("No entry shares a word with it."));
  parts.push(heading("Thresholds"));
  const t = one.thresholds;
  parts.push(list([
    `below suggest_score ${t.suggest_score}: unknown`,
    `confident_score ${t.confident_score}, with a lead in preference of margin ${t.margin} over the runner-up (or ${t.sure_margin} from a score of sure_score ${t.sure_score}); preference is the score blended with the entry's likelihood, weight ${t.likelihood_weight}`,
    `min_evidence ${t.min_evidence} matching words (or one of the entry's keywords), min_coverage ${t.min_coverage}`,
  ]));
  return parts;
}

function bar(value, peak) {
  const cell = document.createElement("span");
  cell.className = "meter";
  const fill = document.createElement("span");
  fill.className = "fill";
  fill.style.width = `${Math.max(2, Math.round((100 * value) / (peak || 1)))}%`;
  const number = document.createElement("span");
  number.className = "number";
  number.textContent = value.toFixed(value < 1 ? 3 : 2);
  cell.append(fill, number);
  return cell;
}

function table(headers, rows, name) {
  const node = document.createElement("table");
  node.className = `explain-${name}`;
  const head = node.createTHead().insertRow();
  for (const label of headers) {
    const cell = document.createElement("th");
    cell.scope = "col";
    cell.textContent = label;
    head.append(cell);
  }
  const body = node.createTBody();
  for (const row of rows) {
    const line = body.insertRow();
    for (const value of row) line.insertCell().append(value);
  }
  return node;
}

function paragraph(text) {
  const node = document.createElement("p");
  node.textContent = text;
  return node;
}

function heading(text) {
  const node = document.createElement("h3");
  node.textContent = text;
  return node;
}

function strong(text) {
  const node = document.createElement("strong");
  node.textContent = text;
  return node;
}

function labelled(label, text) {
  const node = paragraph("");
  node.append(strong(label), text);
  return node;
}

function list(items) {
  const node = document.createElement("ul");
  for (const text of items) {
    const item = document.createElement("li");
    item.textContent = text;
    node.append(item);
  }
  return node;
}

// -- notices, toasts, alerts ---------------------------------------------------------------

function drawNotices(notices) {
  const box = $("#notices");
  for (const notice of notices) {
    if (notice.number <= state.noticesSeen) continue;
    state.noticesSeen = notice.number;
    const item = document.createElement("div");
    item.className = `notice ${notice.ok ? "ok" : "failed"}`;
    item.append(strong(notice.text));
    if (notice.detail) {
      const detail = document.createElement("pre");
      detail.textContent = notice.detail;
      item.append(detail);
    }
    box.prepend(item);
    while (box.children.length > 3) box.lastElementChild.remove();
  }
}

function toast(text) {
  const box = $("#toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(box.timer);
  box.timer = setTimeout(() => { box.hidden = true; }, 4000);
}

function showAlert(text) {
  $("#alert-text").textContent = text;
  $("#alert").showModal();
}

// -- start ---------------------------------------------------------------------------------

async function main() {
  state.config = await api("/api/config");
  state.person = state.config.people[0].user_id;
  drawPeople();
  $("#composer").addEventListener("submit", (event) => {
    event.preventDefault();
    const box = $("#composer-text");
    const text = box.value.trim();
    if (!text) return;
    box.value = "";
    closeInline();
    say(text);
  });
  $("#composer-text").addEventListener("input", onTyping);
  $("#composer-text").addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeInline();
  });
  $("#cancel-reply").addEventListener("click", () => setReply(null));
  $("#menu-button").addEventListener("click", () => toggleMenu($("#menu").hidden));
  $("#inline-mode").addEventListener("click", () => startInline(""));
  if (state.config.watch) {
    $("#notices").append(paragraph(`Watching ${state.config.knowledge} for edits.`));
  }
  openChat(state.person);
}

main().catch((error) => toast(`The playground did not start: ${error.message}`));
