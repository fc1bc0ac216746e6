/**
 * The filter bars of the console's lists (People, Channels, the audit log, Monitor, a channel's owners): a
 * search form, its labelled inputs and choices, and the state of a server-paged list filtered by them.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { cx } from "../../components/ui.tsx";
import { api, qs } from "./api.ts";
import { Field, input } from "./ui.tsx";

export type Status = { text: string; error?: boolean } | null;

/** A `role="search"` form that runs `onSearch` instead of navigating. */
export function FilterForm(
  { onSearch, children, class: klass }: { onSearch: () => void; children: ComponentChildren; class?: string },
) {
  return (
    <form
      role="search"
      class={cx("flex flex-wrap gap-3 items-end", klass)}
      onSubmit={(e) => {
        e.preventDefault();
        onSearch();
      }}
    >
      {children}
    </form>
  );
}

/** A labelled text input of a filter bar (`type` search by default, or date). */
export function FilterInput(
  { label, value, onValue, type = "search" }: {
    label: string;
    value: string;
    onValue: (v: string) => void;
    type?: "search" | "date";
  },
) {
  return (
    <Field label={label}>
      <input class={input} type={type} value={value} onInput={(e) => onValue(e.currentTarget.value)} />
    </Field>
  );
}

/** A labelled choice of a filter bar: `[value, text]` options, the first usually `["", "Any …"]`. */
export function FilterChoice(
  { label, value, onValue, options }: {
    label: string;
    value: string | number;
    onValue: (v: string) => void;
    options: [string | number, string][];
  },
) {
  return (
    <Field label={label}>
      <select class={input} value={value} onChange={(e) => onValue(e.currentTarget.value)}>
        {options.map(([v, text]) => <option key={v} value={v}>{text}</option>)}
      </select>
    </Field>
  );
}

/**
 * A list paged on the server and filtered by `f`: `load` fetches a page, `setFilter` changes one filter and
 * goes back to page 1, `run` performs an action, reports it in the status line and reloads.
 */
export function usePagedList<D extends { page: number }, F extends Record<string, string>>(
  url: string,
  initial: D,
  filters: F,
) {
  const [data, setData] = useState(initial);
  const [f, setF] = useState(filters);
  const [status, setStatus] = useState<Status>(null);
  const fail = (e: Error) => setStatus({ text: e.message, error: true });
  const load = async (page = data.page, next = f) =>
    setData(await api<D>("GET", `${url}${qs({ ...next, page })}`));
  const run = async (what: () => Promise<string>) => {
    try {
      setStatus({ text: await what() });
      await load();
    } catch (e) {
      fail(e as Error);
    }
  };
  const setFilter = (k: keyof F, v: string) => {
    const next = { ...f, [k]: v };
    setF(next);
    load(1, next).catch(fail);
  };
  return { data, f, setF, status, setStatus, fail, load, run, setFilter };
}
