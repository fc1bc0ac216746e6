/**
 * The machinery behind the two registries: workspace settings (`catalog.ts` here) and per-person preferences
 * (`domain/preferences/catalog.ts`). A definition says once what a key holds (a zod schema), its default,
 * where it is shown (group, label, description) and who may change it; everything else (the admin API's
 * validation, the readers, the docs table, the live event) is derived from it.
 *
 * @example
 * // domain/settings/areas/files.ts
 * export const fileSettings = defineSettings("files", {
 *   "files.max_upload_mb": setting({
 *     schema: z.number().int().min(1).max(2048),
 *     default: 25,
 *     group: "Files",
 *     label: "Largest upload",
 *     description: "Uploads larger than this many megabytes are refused.",
 *     permission: "chat.admin_dashboard",
 *     public: true,
 *   }),
 * });
 * // then add `fileSettings` to the list in domain/settings/catalog.ts
 */
import type { z } from "zod";
import type { Permission } from "../permissions.ts";

/** What every definition has, workspace setting or preference. */
interface BaseSpec<T> {
  schema: z.ZodType<T>;
  default: T;
  /** Heading in the admin UI and the docs ("Widget", "Messages"). */
  group: string;
  /** Short name of the control. */
  label: string;
  /** One or two sentences: what it changes, in the words of the person who sees it. */
  description: string;
}

/** A workspace setting. */
export interface SettingSpec<T = unknown, P extends boolean = boolean> extends BaseSpec<T> {
  /** Who may change it (reading follows: whoever may change any setting sees them all). */
  permission: Permission;
  /** Whether pages need it: public settings go to every signed-in page and are pushed live when they change. */
  public: P;
}

/** A per-person preference; `workspaceDefault` names the workspace setting that overrides `default`. */
export interface PreferenceSpec<T = unknown> extends BaseSpec<T> {
  workspaceDefault?: string;
}

// deno-lint-ignore no-explicit-any
export type AnySettingSpec = SettingSpec<any, boolean>;
// deno-lint-ignore no-explicit-any
export type AnyPreferenceSpec = PreferenceSpec<any>;
type AnySpec = AnySettingSpec | AnyPreferenceSpec;

/** One workspace setting; the value type comes from the schema, `public` stays a literal type. */
export function setting<S extends z.ZodType, const P extends boolean>(
  spec: Omit<SettingSpec<z.output<S>, P>, "schema"> & { schema: S },
): SettingSpec<z.output<S>, P> {
  return spec as SettingSpec<z.output<S>, P>;
}

/** One preference. */
export function preference<S extends z.ZodType>(
  spec: Omit<PreferenceSpec<z.output<S>>, "schema"> & { schema: S },
): PreferenceSpec<z.output<S>> {
  return spec as PreferenceSpec<z.output<S>>;
}

/**
 * A file's worth of workspace settings. Every key starts with `<area>.`, so two areas can never collide;
 * each default must satisfy its own schema (checked when the module loads, so a mistake fails every test).
 */
export function defineSettings<const D extends Record<string, AnySettingSpec>>(area: string, defs: D): D {
  return checked(area, defs, `${area}.`);
}

/** A file's worth of preferences; keys are plain identifiers (`theme`, `tsFormat`) the browser reads. */
export function definePreferences<const D extends Record<string, AnyPreferenceSpec>>(
  area: string,
  defs: D,
): D {
  return checked(area, defs, "");
}

function checked<D extends Record<string, AnySpec>>(area: string, defs: D, prefix: string): D {
  for (const [key, spec] of Object.entries(defs)) {
    if (!key.startsWith(prefix) || !/^[a-z][a-zA-Z0-9_.]*$/.test(key)) {
      throw new Error(`${area}: the key ${key} must look like ${prefix}name`);
    }
    if (!spec.schema.safeParse(spec.default).success) {
      throw new Error(`${area}: the default of ${key} does not satisfy its schema`);
    }
  }
  return Object.freeze(defs);
}

type Merge<T extends readonly unknown[]> = T extends readonly [infer H, ...infer R] ? H & Merge<R> : unknown;

/** The one list: joins area definitions, refusing a key defined twice. */
export function combine<const T extends readonly Record<string, AnySpec>[]>(...parts: T): Merge<T> {
  const out: Record<string, AnySpec> = {};
  for (const part of parts) {
    for (const [k, v] of Object.entries(part)) {
      if (Object.hasOwn(out, k)) throw new Error(`The setting ${k} is defined twice`);
      out[k] = v;
    }
  }
  return Object.freeze(out) as Merge<T>;
}

/** Key -> value type of a registry. */
export type ValuesOf<D> = { [K in keyof D]: D[K] extends BaseSpec<infer T> ? T : never };

/** Keys of the settings pages receive. */
export type PublicKeysOf<D> = { [K in keyof D]: D[K] extends { public: true } ? K : never }[keyof D];

/**
 * Every key's value: the stored one when it still satisfies the schema (a value stored under older rules is
 * not trusted), else the fallback (the workspace default of a preference), else the definition's default.
 */
export function resolveValues<D extends Record<string, AnySpec>>(
  defs: D,
  stored: Record<string, unknown>,
  fallback: (key: string) => unknown = () => undefined,
): ValuesOf<D> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(defs)) {
    const candidates = Object.hasOwn(stored, key) ? [stored[key], fallback(key)] : [fallback(key)];
    out[key] = spec.default;
    for (const v of candidates) {
      if (v === undefined) continue;
      const r = spec.schema.safeParse(v);
      if (r.success) {
        out[key] = r.data;
        break;
      }
    }
  }
  return out as ValuesOf<D>;
}

/** A definition as the admin UI and the docs see it (the schema as JSON Schema). */
export interface Described {
  key: string;
  group: string;
  label: string;
  description: string;
  default: unknown;
  type: Record<string, unknown>;
  permission?: Permission;
  public?: boolean;
  workspaceDefault?: string;
}

export function describe(
  defs: Record<string, AnySpec>,
  toJsonSchema: (s: z.ZodType) => Record<string, unknown>,
): Described[] {
  return Object.entries(defs).map(([key, s]) => {
    const { schema, ...rest } = s;
    return { key, ...rest, type: toJsonSchema(schema) };
  });
}
