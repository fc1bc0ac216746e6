/** Reads the JSON props the server rendered next to an island. */
export function readProps<T>(id: string): T {
  const el = document.getElementById(id);
  return JSON.parse(el?.textContent || "{}") as T;
}
