/**
 * The installable web app: the manifest, the service worker (served from the root so its scope is the
 * whole site) and the app icon.
 */
import { Hono } from "hono";
import type { AppEnv } from "./env.ts";

const SW = new URL("../static/sw.js", import.meta.url);

export const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">` +
  `<rect width="512" height="512" rx="96" fill="#4f6bed"/>` +
  `<rect x="96" y="120" width="320" height="220" rx="60" fill="#fff"/>` +
  `<path d="M160 340l-24 80 100-80z" fill="#fff"/>` +
  `<path d="M170 210h172M170 260h112" stroke="#4f6bed" stroke-width="28" stroke-linecap="round"/></svg>`;

export const MANIFEST = {
  name: "Parley",
  short_name: "Parley",
  description: "Team chat",
  start_url: "/chat",
  scope: "/",
  display: "standalone",
  background_color: "#ffffff",
  theme_color: "#4f6bed",
  icons: [
    { src: "/pwa/icon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" },
    { src: "/pwa/icon.svg", sizes: "512x512", type: "image/svg+xml", purpose: "maskable" },
  ],
};

export function pwaRoutes() {
  const app = new Hono<AppEnv>();
  app.get("/manifest.webmanifest", (c) => {
    c.header("Content-Type", "application/manifest+json");
    c.header("Cache-Control", "public, max-age=3600");
    return c.body(JSON.stringify(MANIFEST));
  });
  app.get("/sw.js", async (c) => {
    c.header("Content-Type", "text/javascript; charset=utf-8");
    c.header("Cache-Control", "no-cache");
    c.header("Service-Worker-Allowed", "/");
    return c.body(await Deno.readTextFile(SW));
  });
  app.get("/pwa/icon.svg", (c) => {
    c.header("Content-Type", "image/svg+xml");
    c.header("Cache-Control", "public, max-age=86400");
    return c.body(ICON_SVG);
  });
  return app;
}
