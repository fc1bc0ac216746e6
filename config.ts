/** Typed settings read from the environment once, in `main.ts`. Defaults need nothing installed. */
export interface Config {
  port: number;
  hostname: string;
  databaseUrl?: string;
  dataDir: string;
  demo: boolean;
  demoPassword: string;
  defaultWorkspace: string;
  /** Origins allowed for cookie-authenticated writes and WebSocket upgrades, besides the server's own. */
  allowedOrigins: string[];
  /** Proxies (addresses or CIDR ranges) whose X-Forwarded-For / X-Forwarded-Proto are believed. */
  trustedProxies: string[];
  sessionDays: number;
  secureCookies: boolean;
  sso: {
    hsSecret?: string;
    jwksUrl?: string;
    issuer?: string;
    audience?: string;
    maxLifetimeSeconds: number;
  };
  bus: "memory" | "broadcast_channel" | "pg_notify";
  /** How often the visitor-chat worker runs (webhooks, offline agents, recovery window), ms. */
  visitorWorkerMs: number;
  instanceId: string;
  ws: {
    maxFrameBytes: number;
    heartbeatMs: number;
    sendBufferSoftBytes: number;
    sendBufferHardBytes: number;
    replayLimit: number;
  };
  limits: {
    messageChars: number;
    sendsPerMinute: number;
    typingPerMinute: number;
    connectsPerMinute: number;
  };
}

export function loadConfig(
  env: Record<string, string | undefined> = Deno.env.toObject(),
  args: string[] = [],
): Config {
  const num = (k: string, d: number) => {
    const v = env[k];
    if (v === undefined || v === "") return d;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new Error(`${k} must be a number, got "${v}"`);
    return n;
  };
  const list = (k: string) => (env[k] ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const databaseUrl = env.DATABASE_URL || undefined;
  const busDefault = databaseUrl ? "pg_notify" : "memory";
  const bus = (env.PARLEY_BUS || busDefault) as Config["bus"];
  if (!["memory", "broadcast_channel", "pg_notify"].includes(bus)) {
    throw new Error(`PARLEY_BUS: unknown bus "${bus}"`);
  }
  return {
    port: num("PORT", 8000),
    hostname: env.HOSTNAME_BIND || "0.0.0.0",
    databaseUrl,
    dataDir: env.DATA_DIR || "./data",
    demo: !(args.includes("--no-demo") || env.DEMO === "0" || env.DEMO === "false"),
    demoPassword: env.DEMO_PASSWORD || "parley",
    defaultWorkspace: env.DEFAULT_WORKSPACE || "demo",
    allowedOrigins: list("ALLOWED_ORIGINS"),
    trustedProxies: list("TRUSTED_PROXIES"),
    sessionDays: num("SESSION_DAYS", 30),
    secureCookies: env.SECURE_COOKIES === "1",
    sso: {
      hsSecret: env.SSO_JWT_SECRET || undefined,
      jwksUrl: env.SSO_JWKS_URL || undefined,
      issuer: env.SSO_ISSUER || undefined,
      audience: env.SSO_AUDIENCE || undefined,
      maxLifetimeSeconds: num("SSO_MAX_LIFETIME_SECONDS", 600),
    },
    bus,
    visitorWorkerMs: num("VISITOR_WORKER_MS", 2000),
    instanceId: env.INSTANCE_ID || crypto.randomUUID().slice(0, 8),
    ws: {
      maxFrameBytes: num("WS_MAX_FRAME_BYTES", 64 * 1024),
      heartbeatMs: num("WS_HEARTBEAT_MS", 35_000),
      sendBufferSoftBytes: num("WS_SEND_BUFFER_SOFT", 256 * 1024),
      sendBufferHardBytes: num("WS_SEND_BUFFER_HARD", 4 * 1024 * 1024),
      replayLimit: num("WS_REPLAY_LIMIT", 1000),
    },
    limits: {
      messageChars: num("MESSAGE_MAX_CHARS", 16_000),
      sendsPerMinute: num("RATE_SENDS_PER_MINUTE", 600),
      typingPerMinute: num("RATE_TYPING_PER_MINUTE", 120),
      connectsPerMinute: num("RATE_CONNECTS_PER_MINUTE", 60),
    },
  };
}
