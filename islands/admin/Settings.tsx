/**
 * Settings: every workspace setting from the registry (domain/settings/catalog.ts), grouped and explained,
 * each control built from the setting's JSON Schema, saved through PATCH /api/admin/settings (the API's
 * validation; its messages show next to the field). The widget group has a live preview.
 */
import { useState } from "preact/hooks";
import { api, ApiError } from "./api.ts";
import { input, primary, StatusLine } from "./ui.tsx";
import { WidgetPreview } from "./WidgetPreview.tsx";

interface Schema {
  type?: string;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  items?: Schema;
  properties?: Record<string, Schema>;
}
interface Definition {
  key: string;
  group: string;
  label: string;
  description: string;
  default: unknown;
  type: Schema;
  editable: boolean;
}
export interface SettingsData {
  settings: Record<string, unknown>;
  definitions: Definition[];
}

const idOf = (key: string) => `set-${key.replaceAll(".", "-")}`;

export function Settings({ initial }: { initial: SettingsData }) {
  const [saved, setSaved] = useState(initial.settings);
  const [values, setValues] = useState(initial.settings);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<{ text: string; error?: boolean } | null>(null);
  const groups = [...new Set(initial.definitions.map((d) => d.group))];
  const changed = Object.keys(values).filter((k) => JSON.stringify(values[k]) !== JSON.stringify(saved[k]));
  const set = (k: string, v: unknown) => setValues({ ...values, [k]: v });

  const save = async (e: Event) => {
    e.preventDefault();
    setErrors({});
    try {
      const patch = Object.fromEntries(changed.map((k) => [k, values[k]]));
      const r = await api<{ settings: Record<string, unknown> }>("PATCH", "/api/admin/settings", patch);
      setSaved(r.settings);
      setValues(r.settings);
      setStatus({
        text: `Saved ${changed.length} setting${changed.length === 1 ? "" : "s"}; open pages update now`,
      });
    } catch (err) {
      const issues = err instanceof ApiError ? err.issues : [];
      setErrors(Object.fromEntries(issues.map((i) => [i.path, i.message])));
      setStatus({ text: (err as Error).message, error: true });
    }
  };

  return (
    <form onSubmit={save} noValidate>
      <div class="flex gap-3 items-center mb-2 sticky top-0 bg-main py-2 z-10">
        <button class={primary} type="submit" disabled={!changed.length}>Save settings</button>
        <span class="text-sm text-muted">
          {changed.length ? `${changed.length} unsaved` : "No unsaved changes"}
        </span>
      </div>
      <StatusLine status={status} />
      {groups.map((g) => (
        <fieldset key={g} class="rounded-lg border border-line p-4 mb-4">
          <legend class="text-lg font-bold px-1">{g}</legend>
          <div class={g === "Widget" ? "grid md:grid-cols-2 gap-4" : ""}>
            <div class="flex flex-col gap-4">
              {initial.definitions.filter((d) => d.group === g).map((d) => (
                <Control
                  key={d.key}
                  d={d}
                  value={values[d.key]}
                  error={errors[d.key]}
                  onChange={(v) => set(d.key, v)}
                />
              ))}
            </div>
            {g === "Widget" && <WidgetPreview values={values} />}
          </div>
        </fieldset>
      ))}
    </form>
  );
}

function Control(
  { d, value, error, onChange }: {
    d: Definition;
    value: unknown;
    error?: string;
    onChange: (v: unknown) => void;
  },
) {
  const id = idOf(d.key);
  const help = `${id}-help`;
  const describedBy = error ? `${help} ${id}-err` : help;
  const s = d.type;
  let control;
  if (s.type === "boolean") {
    control = (
      <input
        id={id}
        type="checkbox"
        class="h-4 w-4"
        checked={value === true}
        disabled={!d.editable}
        aria-describedby={describedBy}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
    );
  } else if (s.enum) {
    control = (
      <select
        id={id}
        class={input}
        value={String(value)}
        disabled={!d.editable}
        aria-describedby={describedBy}
        onChange={(e) => onChange(e.currentTarget.value)}
      >
        {s.enum.map((o) => <option key={String(o)} value={String(o)}>{String(o)}</option>)}
      </select>
    );
  } else if (s.type === "array" && s.items?.enum) {
    const list = (value as unknown[]) ?? [];
    return (
      <fieldset aria-describedby={help}>
        <legend class="font-semibold text-sm">{d.label}</legend>
        <div class="flex flex-wrap gap-3 my-1">
          {s.items.enum.map((o) => (
            <label key={String(o)} class="text-sm flex items-center gap-1">
              <input
                type="checkbox"
                disabled={!d.editable}
                checked={list.includes(o)}
                onChange={(e) =>
                  onChange(e.currentTarget.checked ? [...list, o] : list.filter((x) => x !== o))}
              />
              {String(o)}
            </label>
          ))}
        </div>
        <p id={help} class="text-xs text-muted">{d.description}</p>
        {error && <p id={`${id}-err`} class="text-sm text-danger">{error}</p>}
      </fieldset>
    );
  } else if (s.type === "object" && s.properties && Object.values(s.properties).every((p) => p.enum)) {
    // A fixed set of choices, each from a list (the default notification level per conversation kind).
    const obj = (value ?? {}) as Record<string, unknown>;
    return (
      <fieldset aria-describedby={help}>
        <legend class="font-semibold text-sm">{d.label}</legend>
        <div class="flex flex-wrap gap-3 my-1">
          {Object.entries(s.properties).map(([k, p]) => (
            <label key={k} class="text-sm flex items-center gap-1">
              {k}
              <select
                class={input}
                value={String(obj[k] ?? "")}
                disabled={!d.editable}
                onChange={(e) =>
                  onChange({ ...obj, [k]: e.currentTarget.value })}
              >
                {p.enum!.map((o) => <option key={String(o)} value={String(o)}>{String(o)}</option>)}
              </select>
            </label>
          ))}
        </div>
        <p id={help} class="text-xs text-muted">{d.description}</p>
        {error && <p id={`${id}-err`} class="text-sm text-danger">{error}</p>}
      </fieldset>
    );
  } else if (s.type === "array" && s.items?.type === "string") {
    // A list of free texts (host origins, page rules): one per line.
    control = (
      <LinesInput
        id={id}
        value={(value as string[] | undefined) ?? []}
        disabled={!d.editable}
        describedBy={describedBy}
        onChange={onChange}
      />
    );
  } else if (s.type === "integer" || s.type === "number") {
    control = (
      <input
        id={id}
        type="number"
        class={input}
        value={String(value)}
        min={s.minimum}
        max={s.maximum}
        disabled={!d.editable}
        aria-describedby={describedBy}
        onInput={(e) => onChange(e.currentTarget.value === "" ? "" : Number(e.currentTarget.value))}
      />
    );
  } else if (s.pattern?.includes("0-9a-fA-F]{6}")) {
    control = (
      <div class="flex gap-2 items-center">
        <input
          id={id}
          type="color"
          class="h-8 w-12"
          value={String(value)}
          disabled={!d.editable}
          aria-describedby={describedBy}
          onInput={(e) => onChange(e.currentTarget.value)}
        />
        <span class="text-sm font-mono">{String(value)}</span>
      </div>
    );
  } else {
    control = (
      <input
        id={id}
        class={input}
        value={String(value ?? "")}
        maxLength={s.maxLength}
        disabled={!d.editable}
        aria-describedby={describedBy}
        onInput={(e) => onChange(e.currentTarget.value)}
      />
    );
  }
  return (
    <div class="flex flex-col gap-1">
      <label for={id} class="font-semibold text-sm">{d.label}</label>
      {control}
      <p id={help} class="text-xs text-muted">
        {d.description}
        {d.editable ? "" : " (you may not change this)"}
      </p>
      {error && <p id={`${id}-err`} class="text-sm text-danger">{error}</p>}
    </div>
  );
}

/** A list of texts edited one per line; the typed text is kept as typed (blank lines included) while editing. */
function LinesInput({ id, value, disabled, describedBy, onChange }: {
  id: string;
  value: string[];
  disabled: boolean;
  describedBy: string;
  onChange: (v: string[]) => void;
}) {
  const [text, setText] = useState(value.join("\n"));
  return (
    <textarea
      id={id}
      class={input}
      rows={3}
      value={text}
      disabled={disabled}
      aria-describedby={describedBy}
      onInput={(e) => {
        setText(e.currentTarget.value);
        onChange(e.currentTarget.value.split("\n").map((x) => x.trim()).filter((x) => x !== ""));
      }}
    />
  );
}
