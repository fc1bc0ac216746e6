/** Browser entry of /chat: seeds a ParleyClient from the server's props and hydrates the app, and the calls layer. */
import { hydrate, render } from "preact";
import { effect } from "@preact/signals";
import { ParleyClient } from "../../realtime/client.ts";
import { chatContext, type ChatProps, ChatRoot } from "../chat/ChatApp.tsx";
import { readProps } from "../props.ts";
import { afterPaint, nextTask } from "../boot.ts";
import { CallManager } from "../calls/call_client.ts";
import { CallContext } from "../calls/context.ts";
import { CallLayer } from "../calls/CallLayer.tsx";
import { loadMarkdown } from "../chat/markdown_lazy.ts";

const props = readProps<ChatProps>("parley-props");
const client = new ParleyClient();
const ctx = chatContext(client, props);
const calls = new CallManager(client);
calls.start();
// For tests and debugging in the console.
(globalThis as { parley?: unknown }).parley = { client, ui: ctx.ui, calls };
// The server-rendered app is painted first; hydration and the call layer follow in their own tasks.
await afterPaint();
hydrate(
  <CallContext.Provider value={calls}>
    <ChatRoot ctx={ctx} />
  </CallContext.Provider>,
  document.getElementById("chat-island")!,
);
await nextTask();
const layer = document.createElement("div");
document.body.append(layer);
render(
  <CallLayer
    calls={calls}
    viewing={ctx.ui.channelId}
    open={(id) => ctx.navigate(id)}
    askRating={() => ctx.settings.values.value["calls.rating_prompt"]}
    people={{
      name: ctx.userName,
      avatar: (id) => (id === null ? null : client.users.value[id]?.avatarUrl ?? null),
      channel: (id) => client.channels.value.find((c) => c.id === id)?.displayName ?? "",
    }}
  />,
  layer,
);

// The message renderer is not needed for the first screen; it loads now, before a conversation opens.
await nextTask();
void loadMarkdown().catch(() => {});

// Answered from the staff widget: /chat/<channel>?call=<id>[&video=1] joins the call once connected.
const asked = new URLSearchParams(location.search);
const askedCall = Number(asked.get("call"));
if (Number.isSafeInteger(askedCall) && askedCall > 0) {
  let done = false;
  effect(() => {
    if (done || client.status.value !== "open") return;
    done = true;
    history.replaceState(null, "", location.pathname);
    void calls.join(askedCall, asked.get("video") === "1");
  });
}
