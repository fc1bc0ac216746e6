/** Browser entry of /chat: seeds a ParleyClient from the server's props and hydrates the app. */
import { hydrate } from "preact";
import { ParleyClient } from "../../realtime/client.ts";
import { chatContext, type ChatProps, ChatRoot } from "../chat/ChatApp.tsx";
import { readProps } from "../props.ts";

const props = readProps<ChatProps>("parley-props");
const client = new ParleyClient();
const ctx = chatContext(client, props);
// For tests and debugging in the console.
(globalThis as { parley?: unknown }).parley = { client, ui: ctx.ui };
hydrate(<ChatRoot ctx={ctx} />, document.getElementById("chat-island")!);
