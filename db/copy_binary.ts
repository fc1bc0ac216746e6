/**
 * Postgres's binary COPY format (the `COPY ... FROM STDIN (FORMAT binary)` wire data), for `Db.insertRows`
 * on Postgres: bytea values go to the server as they are, where a bytea parameter goes as hex text (two
 * characters per byte, plus the string the driver builds), which is what made database-stored uploads cost
 * several times their size in short-lived garbage.
 *
 * Only the column types the repos bulk-load are supported: text, int4, int8 and bytea (nulls too).
 *
 * @example
 * const parts = copyBinaryParts([{ name: "key", type: "text" }], [["a"], ["b"]]);
 * // parts: header, one tuple header per row (each followed by its bytea values when there are any), trailer
 */

export type CopyType = "text" | "int4" | "int8" | "bytea";

export interface CopyColumn {
  name: string;
  type: CopyType;
}

const SIGNATURE = [0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]; // "PGCOPY\n\377\r\n\0"

/** The 19-byte file header: signature, flags (0), header extension length (0). */
export function copyHeader(): Uint8Array {
  const h = new Uint8Array(19);
  h.set(SIGNATURE);
  return h;
}

/** The file trailer: a field count of -1. */
export function copyTrailer(): Uint8Array {
  return new Uint8Array([0xff, 0xff]);
}

const utf8 = new TextEncoder();

/**
 * One row as a list of byte chunks: small fields are packed together, bytea values are passed on as
 * they are (not copied), each after its length.
 */
export function copyRow(columns: CopyColumn[], row: unknown[]): Uint8Array[] {
  if (row.length !== columns.length) {
    throw new Error(`COPY row has ${row.length} values for ${columns.length} columns`);
  }
  const out: Uint8Array[] = [];
  let small: number[] = [];
  const i16 = (n: number) => small.push((n >> 8) & 255, n & 255);
  const i32 = (n: number) => small.push((n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
  i16(columns.length);
  for (let c = 0; c < columns.length; c++) {
    const v = row[c];
    const type = columns[c].type;
    if (v === null || v === undefined) {
      i32(-1);
      continue;
    }
    if (type === "bytea") {
      if (!(v instanceof Uint8Array)) throw new Error(`COPY column ${columns[c].name}: expected bytes`);
      i32(v.length);
      out.push(Uint8Array.from(small), v);
      small = [];
    } else if (type === "text") {
      const b = utf8.encode(String(v));
      i32(b.length);
      for (const x of b) small.push(x);
    } else if (type === "int4") {
      const n = Number(v);
      if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) {
        throw new Error(`COPY column ${columns[c].name}: ${v} is not an int4`);
      }
      i32(4);
      i32(n);
    } else {
      const n = BigInt(v as number | bigint | string);
      i32(8);
      const hi = Number(BigInt.asIntN(64, n) >> 32n);
      const lo = Number(BigInt.asUintN(32, n));
      i32(hi);
      i32(lo);
    }
  }
  if (small.length) out.push(Uint8Array.from(small));
  return out;
}

/** The COPY statement for `columns` of `table` (names are the caller's fixed identifiers, checked). */
export function copyStatement(table: string, columns: CopyColumn[]): string {
  const ident = (s: string) => {
    if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new Error(`bad identifier ${JSON.stringify(s)}`);
    return s;
  };
  return `COPY ${ident(table)} (${columns.map((c) => ident(c.name)).join(", ")}) FROM STDIN (FORMAT binary)`;
}
