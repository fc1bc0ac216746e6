/**
 * Browser entry of visitor chat. On /support ("page") the token lives in Parley's own localStorage. In the
 * embedded widget ("frame", an iframe on Parley's origin inside the host page) it lives in the host page's
 * localStorage: the loader (`/embed/visitor.js`) hands it over with postMessage and stores what this frame
 * sends back, so the chat survives reloads, navigation and a second tab even where third-party storage is
 * blocked.
 */
import { render } from "preact";
import { readProps } from "../props.ts";
import { type Saved, VisitorClient, type VisitorStorage } from "../visitor/client.ts";
import { VisitorPanel } from "../visitor/VisitorApp.tsx";

export interface VisitorPageProps {
  mode: "page" | "frame";
  workspace: string;
  /** The host page's origin (frame mode): the only window this frame talks to. */
  host?: string;
}

const props = readProps<VisitorPageProps>("parley-props");
const key = `parley.visitor.${props.workspace}`;

function pageStorage(): VisitorStorage {
  return {
    load: () => {
      try {
        return Promise.resolve(JSON.parse(localStorage.getItem(key) ?? "null") as Saved | null);
      } catch {
        return Promise.resolve(null);
      }
    },
    save: (s) => (s ? localStorage.setItem(key, JSON.stringify(s)) : localStorage.removeItem(key)),
  };
}

/** Storage in the host page, through the loader. */
function hostStorage(host: string): { storage: VisitorStorage; page: Promise<string> } {
  const init = Promise.withResolvers<{ saved: Saved | null; page: string }>();
  addEventListener("message", (e) => {
    if (e.source !== parent || e.origin !== host) return;
    const d = e.data as { parley?: string; saved?: Saved | null; page?: string };
    if (d?.parley === "init") init.resolve({ saved: d.saved ?? null, page: String(d.page ?? "") });
  });
  parent.postMessage({ parley: "ready" }, host);
  return {
    storage: {
      load: () => init.promise.then((x) => x.saved),
      save: (s) => parent.postMessage({ parley: "store", saved: s }, host),
    },
    page: init.promise.then((x) => x.page),
  };
}

async function main() {
  const root = document.getElementById("visitor-island")!;
  if (props.mode === "page") {
    const client = new VisitorClient("", props.workspace, pageStorage(), location.href);
    (globalThis as { parleyVisitor?: unknown }).parleyVisitor = client;
    render(<VisitorPanel client={client} />, root);
    await client.init().catch(() => (client.phase.value = "error"));
    return;
  }
  const host = props.host!;
  const bridge = hostStorage(host);
  const client = new VisitorClient("", props.workspace, bridge.storage, await bridge.page);
  (globalThis as { parleyVisitor?: unknown }).parleyVisitor = client;
  const tell = (open: boolean) => parent.postMessage({ parley: "size", open }, host);
  const App = () => {
    const open = client.open.value;
    tell(open);
    if (!open) {
      return (
        <button
          type="button"
          class="v-launcher v-primary"
          aria-label={client.settings.value?.look.title ?? "Chat with us"}
          onClick={() => client.setOpen(true)}
        >
          <span aria-hidden="true">💬</span>
        </button>
      );
    }
    return <VisitorPanel client={client} onClose={() => client.setOpen(false)} />;
  };
  render(<App />, root);
  await client.init().catch(() => (client.phase.value = "error"));
}

void main();
