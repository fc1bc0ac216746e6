/** The page's CallManager for components rendered inside the chat app (null on the server and in tests). */
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { CallManager } from "./call_client.ts";

export const CallContext = createContext<CallManager | null>(null);
export const useCalls = () => useContext(CallContext);
