/** The visitor's forms: the pre-chat form (fields and consent from settings), the offline form, the rating. */
import { useRef, useState } from "preact/hooks";
import type { PublicVisitorSettings } from "../../realtime/visitor_protocol.ts";
import type { VisitorClient } from "./client.ts";

const input = "w-full rounded-md border border-line bg-input text-fg px-2 py-1.5 text-sm";
export const primaryBtn = "rounded-md px-3 py-2 text-sm font-semibold v-primary disabled:opacity-60";

/** Off-screen, hidden from assistive technology and out of the tab order: only bots fill it in. */
function Honeypot({ value, onInput }: { value: string; onInput: (v: string) => void }) {
  return (
    <div
      aria-hidden="true"
      style="position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden"
    >
      <label>
        Website
        <input
          type="text"
          name="website"
          tabIndex={-1}
          autoComplete="off"
          value={value}
          onInput={(e) => onInput((e.target as HTMLInputElement).value)}
        />
      </label>
    </div>
  );
}

function Field(
  { id, label, required, type = "text", value, onInput, options }: {
    id: string;
    label: string;
    required: boolean;
    type?: string;
    value: string;
    onInput: (v: string) => void;
    options?: string[];
  },
) {
  const set = (e: Event) => onInput((e.target as HTMLInputElement).value);
  return (
    <div class="flex flex-col gap-1">
      <label for={id} class="text-sm font-medium text-fg">
        {label}
        {!required && <span class="text-muted font-normal">(optional)</span>}
      </label>
      {options
        ? (
          <select id={id} class={input} required={required} value={value} onChange={set}>
            <option value="">Choose…</option>
            {options.map((o) => <option key={o} value={o}>{o}</option>)}
          </select>
        )
        : type === "textarea"
        ? <textarea id={id} class={input} rows={3} required={required} value={value} onInput={set} />
        : (
          <input
            id={id}
            type={type}
            class={input}
            required={required}
            value={value}
            onInput={set}
            autoComplete={type === "email" ? "email" : type === "tel" ? "tel" : "name"}
          />
        )}
    </div>
  );
}

export function PrechatForm(
  { client, settings }: { client: VisitorClient; settings: PublicVisitorSettings },
) {
  const shown = useRef(Date.now());
  const [values, setValues] = useState<Record<string, string>>({});
  const [honey, setHoney] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError("");
    try {
      await client.startChat(values, Date.now() - shown.current, honey);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const typeOf = (
    k: string,
  ) => (k === "email" ? "email" : k === "phone" ? "tel" : k === "message" ? "textarea" : "text");
  return (
    <form aria-label="Start a chat" class="flex flex-col gap-3 p-4 relative" onSubmit={submit}>
      {settings.greeting && <p class="text-sm text-fg">{settings.greeting}</p>}
      {settings.prechat_fields.map((f) => (
        <Field
          key={f.key}
          id={`pv-${f.key}`}
          label={f.label}
          required={f.required}
          type={typeOf(f.key)}
          options={f.key === "topic" ? settings.topics : undefined}
          value={values[f.key] ?? ""}
          onInput={(v) => setValues({ ...values, [f.key]: v })}
        />
      ))}
      <Honeypot value={honey} onInput={setHoney} />
      {settings.consent_text && <p class="text-xs text-muted">{settings.consent_text}</p>}
      {error && <p role="alert" class="text-sm text-danger">{error}</p>}
      <button type="submit" class={primaryBtn} disabled={busy}>Start chat</button>
    </form>
  );
}

export function OfflineForm(
  { client, settings }: { client: VisitorClient; settings: PublicVisitorSettings },
) {
  const shown = useRef(Date.now());
  const [values, setValues] = useState<Record<string, string>>({});
  const [honey, setHoney] = useState("");
  const [done, setDone] = useState<number | null>(null);
  const [error, setError] = useState("");
  if (done !== null) {
    return (
      <p role="status" class="p-4 text-sm">
        Thank you! We received your message (ticket #{done}) and will reply by email.
      </p>
    );
  }
  const set = (k: string) => (v: string) => setValues({ ...values, [k]: v });
  return (
    <form
      aria-label="Leave a message"
      class="flex flex-col gap-3 p-4 relative"
      onSubmit={async (e) => {
        e.preventDefault();
        setError("");
        try {
          setDone(await client.offline(values, Date.now() - shown.current, honey));
        } catch (err) {
          setError(err instanceof Error ? err.message : String(err));
        }
      }}
    >
      <p class="text-sm text-fg">{settings.offline_text}</p>
      <Field id="po-name" label="Name" required value={values.name ?? ""} onInput={set("name")} />
      <Field
        id="po-email"
        label="Email"
        type="email"
        required
        value={values.email ?? ""}
        onInput={set("email")}
      />
      <Field
        id="po-topic"
        label="Topic"
        required={false}
        options={settings.topics}
        value={values.topic ?? ""}
        onInput={set("topic")}
      />
      <Field
        id="po-message"
        label="Your message"
        type="textarea"
        required
        value={values.message ?? ""}
        onInput={set("message")}
      />
      <Honeypot value={honey} onInput={setHoney} />
      {settings.consent_text && <p class="text-xs text-muted">{settings.consent_text}</p>}
      {error && <p role="alert" class="text-sm text-danger">{error}</p>}
      <button type="submit" class={primaryBtn}>Send message</button>
    </form>
  );
}

const SCALES = {
  stars: [1, 2, 3, 4, 5].map((n) => [n, `${n} star${n > 1 ? "s" : ""}`, "★".repeat(n)] as const),
  number: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => [n, String(n), String(n)] as const),
  thumbs: [[1, "Thumbs up", "👍"], [0, "Thumbs down", "👎"]] as const,
};

export function RatingForm({ client, type }: { client: VisitorClient; type: "stars" | "number" | "thumbs" }) {
  const [value, setValue] = useState<number | null>(null);
  const [comment, setComment] = useState("");
  const [error, setError] = useState("");
  return (
    <form
      aria-label="Rate this chat"
      class="flex flex-col gap-2"
      onSubmit={async (e) => {
        e.preventDefault();
        if (value === null) return setError("Choose a rating first.");
        try {
          await client.rate(value, comment);
        } catch (err) {
          setError(err instanceof Error ? err.message : String(err));
        }
      }}
    >
      <fieldset class="flex flex-wrap gap-1">
        <legend class="text-sm font-medium mb-1">How would you rate this chat?</legend>
        {SCALES[type].map(([n, label, shown]) => (
          <label key={n} class="inline-flex items-center gap-1 text-sm border border-line rounded px-2 py-1">
            <input
              type="radio"
              name="rating"
              value={n}
              checked={value === n}
              onChange={() =>
                setValue(n)}
              aria-label={label}
            />
            <span aria-hidden="true">{shown}</span>
          </label>
        ))}
      </fieldset>
      <label for="pv-comment" class="text-sm">Comment (optional)</label>
      <textarea
        id="pv-comment"
        class={input}
        rows={2}
        value={comment}
        onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)}
      />
      {error && <p role="alert" class="text-sm text-danger">{error}</p>}
      <button type="submit" class={primaryBtn}>Send rating</button>
    </form>
  );
}

/** "Email transcript": once per chat, to the address typed here or the one given in the pre-chat form. */
export function TranscriptEmailForm({ client }: { client: VisitorClient }) {
  const [email, setEmail] = useState("");
  const [sentTo, setSentTo] = useState("");
  const [error, setError] = useState("");
  if (sentTo) return <p role="status" class="text-sm">The transcript is on its way to {sentTo}.</p>;
  return (
    <form
      aria-label="Email the transcript"
      class="flex flex-wrap items-end gap-2"
      onSubmit={async (e) => {
        e.preventDefault();
        setError("");
        try {
          setSentTo(await client.emailTranscript(email));
        } catch (err) {
          setError(err instanceof Error ? err.message : String(err));
        }
      }}
    >
      <span class="flex flex-col flex-1 min-w-[12rem]">
        <label for="pv-transcript-email" class="text-sm">Email address for the transcript</label>
        <input
          id="pv-transcript-email"
          type="email"
          class={input}
          value={email}
          placeholder="The address you gave, if empty"
          onInput={(e) => setEmail((e.target as HTMLInputElement).value)}
        />
      </span>
      <button type="submit" class="rounded-md border border-line px-3 py-1.5 text-sm">
        Email transcript
      </button>
      {error && <p role="alert" class="text-sm text-danger w-full">{error}</p>}
    </form>
  );
}
