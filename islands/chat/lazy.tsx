/**
 * Code loaded when first needed, so the first screen downloads only what it shows: every dialog and the
 * emoji picker are separate chunks (esbuild splitting), fetched the first time they open.
 */
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

/** A component whose code is imported on first render; it renders nothing until the chunk is there. */
export function lazy<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<void> | null = null;
  return function Lazy(props: P) {
    const [, setReady] = useState(false);
    useEffect(() => {
      if (loaded) return;
      let live = true;
      pending ??= load().then((c) => void (loaded = c));
      pending.then(() => live && setReady(true), () => (pending = null));
      return () => void (live = false);
    }, []);
    const C = loaded;
    return C ? <C {...props} /> : null;
  };
}

export const SettingsDialog = lazy(() => import("./SettingsDialog.tsx").then((m) => m.SettingsDialog));
export const NewChatDialog = lazy(() => import("./Dialogs.tsx").then((m) => m.NewChatDialog));
export const BrowseDialog = lazy(() => import("./Dialogs.tsx").then((m) => m.BrowseDialog));
export const CreateChannelDialog = lazy(() =>
  import("./CreateChannel.tsx").then((m) => m.CreateChannelDialog)
);
export const QuickSwitcher = lazy(() => import("./Switcher.tsx").then((m) => m.QuickSwitcher));
export const ChannelSettingsDialog = lazy(() =>
  import("./ChannelSettings.tsx").then((m) => m.ChannelSettingsDialog)
);
export const EmojiPicker = lazy(() => import("./EmojiPicker.tsx").then((m) => m.EmojiPicker));
