/** Browser entry of /chat: seeds a ParleyClient from the server's props and hydrates the app, and the calls layer. */
import { hydrate, render } from "preact";
import { ParleyClient } from "../../realtime/client.ts";
import { chatContext, type ChatProps, ChatRoot } from "../chat/ChatApp.tsx";
import { readProps } from "../props.ts";
import { CallManager } from "../calls/call_client.ts";
import { CallContext } from "../calls/context.ts";
import { CallLayer } from "../calls/CallLayer.tsx";

const props = readProps<ChatProps>("parley-props");
const client = new ParleyClient();
const ctx = chatContext(client, props);
const calls = new CallManager(client);
calls.start();
// For tests and debugging in the console.
(globalThis as { parley?: unknown }).parley = { client, ui: ctx.ui, calls };
hydrate(
  <CallContext.Provider value={calls}>
    <ChatRoot ctx={ctx} />
  </CallContext.Provider>,
  document.getElementById("chat-island")!,
);
const layer = document.createElement("div");
document.body.append(layer);
render(
  <CallLayer
    calls={calls}
    viewing={ctx.ui.channelId}
    open={(id) => ctx.navigate(id)}
    people={{
      name: ctx.userName,
      avatar: (id) => (id === null ? null : client.users.value[id]?.avatarUrl ?? null),
      channel: (id) => client.channels.value.find((c) => c.id === id)?.displayName ?? "",
    }}
  />,
  layer,
);
