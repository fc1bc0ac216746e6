/** Test files made on the spot: a real JPEG with GPS EXIF (by wasm-vips), a PDF, HTML and SVG in disguise. */
import Vips from "wasm-vips";

let vips: Promise<unknown> | null = null;

/** A JPEG w x h with EXIF that names a camera and a GPS position. */
export async function jpegWithGps(w = 800, h = 600): Promise<Uint8Array> {
  // deno-lint-ignore no-explicit-any
  const v: any = await (vips ??= Vips({ dynamicLibraries: [] }));
  const base = v.Image.black(w, h).add([200, 120, 40]);
  const img = base.copy();
  img.setString("exif-ifd0-Make", "SecretCam");
  img.setString("exif-ifd3-GPSLatitude", "51/1 30/1 0/1");
  img.setString("exif-ifd3-GPSLatitudeRef", "N");
  const out = img.writeToBuffer(".jpg") as Uint8Array;
  base.delete();
  img.delete();
  return out;
}

/** Whether the bytes hold an EXIF block or the test camera's name. */
export function hasExif(b: Uint8Array): boolean {
  const s = new TextDecoder("latin1").decode(b);
  return s.includes("Exif\0") || s.includes("SecretCam");
}

export function pdf(text = "Quarterly report"): Uint8Array {
  return new TextEncoder().encode(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% ${text}\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
  );
}

export const html = () =>
  new TextEncoder().encode("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>");
export const svg = () =>
  new TextEncoder().encode(
    `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>`,
  );

export function stream(b: Uint8Array, chunk = 1000): ReadableStream<Uint8Array> {
  let off = 0;
  return new ReadableStream({
    pull(c) {
      if (off >= b.length) return c.close();
      c.enqueue(b.slice(off, off += chunk));
    },
  });
}

export async function readAll(s: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(s).arrayBuffer());
}
