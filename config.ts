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
  /** CSP `frame-ancestors` of every page: `'none'` (default), or who may embed Parley's pages. */
  frameAncestors: string;
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
    /** How long an embed session (the staff widget on another origin) lives without a refresh; 900. */
    embedSessionSeconds?: number;
  };
  bus: "memory" | "broadcast_channel" | "pg_notify";
  /** How often the visitor-chat worker runs (webhooks, offline agents, recovery window), ms. */
  visitorWorkerMs: number;
  /** How often the retention job looks for expired messages (each workspace's period is a setting). */
  retentionEveryMs: number;
  instanceId: string;
  ws: {
    maxFrameBytes: number;
    heartbeatMs: number;
    /**
     * Seconds a socket may send nothing, not even a pong, before the runtime pings it, and as long again for
     * the answer, after which its TCP connection is closed (Deno's `idleTimeout`: what ends a peer that went
     * away without closing). 0 turns it off.
     */
    idleTimeoutS: number;
    sendBufferSoftBytes: number;
    sendBufferHardBytes: number;
    replayLimit: number;
  };
  notifications: NotificationConfig;
  /** Calls (docs/calls.md): ICE servers for browsers and the ringing rules. */
  calls: CallConfig;
  /** Where file bytes are stored (FILES_STORAGE, FILES_DIR, S3_*). */
  files: StorageConfig;
  limits: {
    /** Largest request body on routes without a rule of their own (see routes/middleware/body_limit.ts). */
    bodyBytes: number;
    /** WebSocket frames per user and minute, valid or not. */
    framesPerMinute: number;
    /** Oversized WebSocket frames a user may send per minute before new sockets are refused. */
    oversizeFramesPerMinute: number;
    messageChars: number;
    sendsPerMinute: number;
    /** Grouped send statements in flight at once (domain/send_batch.ts): fewer means larger groups. */
    sendBatchesInFlight: number;
    /**
     * Milliseconds a running grouped send has to itself before another starts beside it (domain/send_batch.ts,
     * `GroupCommit.holdMs`); 0 starts one per free slot at once (smaller groups, more commits per message).
     */
    sendBatchHoldMs: number;
    /**
     * Milliseconds between the starts of two grouped sends when none is running (domain/send_batch.ts,
     * `GroupCommit.paceMs`): a send arriving sooner after the latest start waits for the rest, with the sends
     * arriving meanwhile (larger groups, fewer statements and commits per message); 0: off.
     */
    sendBatchPaceMs: number;
    /**
     * The most milliseconds the pace grows to under load (domain/send_batch.ts, `GroupCommit.paceMaxMs`): over
     * one send per `sendBatchPaceMs` (500 a second at 2 ms) the pace climbs in proportion to the arrival rate
     * and reaches this at two (1,000 a second); at or under `sendBatchPaceMs`, a fixed pace.
     */
    sendBatchPaceMaxMs: number;
    /**
     * The pace up to one send per `sendBatchPaceMs` (domain/send_batch.ts, `GroupCommit.paceFloorMs`), from
     * which it climbs to `sendBatchPaceMaxMs` at two; at most `sendBatchPaceMs`.
     */
    sendBatchPaceFloorMs: number;
    /**
     * Grouped sends in flight that hold one channel (domain/send_batch.ts, `GroupCommit.perKey`): at 2 the
     * channel's next batch waits on its row lock in Postgres and commits right after the running one.
     */
    sendBatchesPerChannel: number;
    typingPerMinute: number;
    connectsPerMinute: number;
  };
}

/** Notification delivery (docs/notifications.md). */
export interface NotificationConfig {
  /** Run the outbox worker in this process. */
  worker: boolean;
  /** smtp://user:pass@host:port or smtps://…; without it mail stays queued and is logged as undeliverable. */
  smtpUrl?: string;
  mailFrom: string;
  /** The address people reach Parley at, for links in mails and pushes (defaults to the server's own URL). */
  publicUrl?: string;
  /** Contact for push services (VAPID `sub`). */
  vapidSubject: string;
  /** How often the worker looks for work. */
  tickMs: number;
  /** Messages younger than this are left for the next scan, so a slower commit with a lower id is not passed. */
  scanGraceMs: number;
  /** The length of one "minute" of a person's email delay (tests shorten it). */
  minuteMs: number;
  /** First retry after a failed delivery; doubles per attempt up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  /** Accept http:// push endpoints on loopback (tests and local push services only). */
  pushAllowLoopbackHttp: boolean;
}

export interface CallConfig {
  /** `stun:` URLs handed to browsers (CALL_STUN_URLS, comma separated). */
  stunUrls: string[];
  /** `turn:`/`turns:` URLs (CALL_TURN_URLS); used only with a secret. */
  turnUrls: string[];
  /** coturn's `static-auth-secret` (CALL_TURN_SECRET): per-user credentials are derived, never sent. */
  turnSecret?: string;
  /** Lifetime of a TURN credential (CALL_TURN_TTL_SECONDS). */
  turnTtlSeconds: number;
  /** "relay" forces every call through TURN (hides addresses; CALL_ICE_POLICY). */
  icePolicy: "all" | "relay";
  /** An unanswered call is missed after this long (CALL_RING_TIMEOUT_MS). */
  ringTimeoutMs: number;
  /** A participant whose socket is gone this long has left (CALL_DISCONNECT_GRACE_MS). */
  disconnectGraceMs: number;
  signalsPerMinute: number;
}

function loadCallConfig(
  num: (k: string, d: number) => number,
  list: (k: string) => string[],
  env: Record<string, string | undefined>,
): CallConfig {
  const icePolicy = (env.CALL_ICE_POLICY || "all") as CallConfig["icePolicy"];
  if (icePolicy !== "all" && icePolicy !== "relay") throw new Error(`CALL_ICE_POLICY: "all" or "relay"`);
  return {
    stunUrls: list("CALL_STUN_URLS"),
    turnUrls: list("CALL_TURN_URLS"),
    turnSecret: env.CALL_TURN_SECRET || undefined,
    turnTtlSeconds: num("CALL_TURN_TTL_SECONDS", 6 * 3600),
    icePolicy,
    ringTimeoutMs: num("CALL_RING_TIMEOUT_MS", 30_000),
    disconnectGraceMs: num("CALL_DISCONNECT_GRACE_MS", 30_000),
    signalsPerMinute: num("RATE_CALL_SIGNALS_PER_MINUTE", 1200),
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
    // On embedded PGlite (a first try) the demo is on unless refused; on a real database only when asked.
    demo: args.includes("--demo") || env.DEMO === "1" || env.DEMO === "true" ||
      (!databaseUrl && !(args.includes("--no-demo") || env.DEMO === "0" || env.DEMO === "false")),
    demoPassword: env.DEMO_PASSWORD || "parley",
    defaultWorkspace: env.DEFAULT_WORKSPACE || "demo",
    allowedOrigins: list("ALLOWED_ORIGINS"),
    trustedProxies: list("TRUSTED_PROXIES"),
    frameAncestors: parseFrameAncestors(env.FRAME_ANCESTORS),
    sessionDays: num("SESSION_DAYS", 30),
    secureCookies: env.SECURE_COOKIES === "1",
    sso: {
      hsSecret: env.SSO_JWT_SECRET || undefined,
      jwksUrl: env.SSO_JWKS_URL || undefined,
      issuer: env.SSO_ISSUER || undefined,
      audience: env.SSO_AUDIENCE || undefined,
      maxLifetimeSeconds: num("SSO_MAX_LIFETIME_SECONDS", 600),
      embedSessionSeconds: Math.max(30, num("EMBED_SESSION_SECONDS", 900)),
    },
    bus,
    visitorWorkerMs: num("VISITOR_WORKER_MS", 2000),
    retentionEveryMs: num("RETENTION_INTERVAL_MS", 3_600_000),
    instanceId: env.INSTANCE_ID || crypto.randomUUID().slice(0, 8),
    ws: {
      maxFrameBytes: num("WS_MAX_FRAME_BYTES", 64 * 1024),
      heartbeatMs: num("WS_HEARTBEAT_MS", 35_000),
      idleTimeoutS: num("WS_IDLE_TIMEOUT_S", 60),
      sendBufferSoftBytes: num("WS_SEND_BUFFER_SOFT", 256 * 1024),
      sendBufferHardBytes: num("WS_SEND_BUFFER_HARD", 4 * 1024 * 1024),
      replayLimit: num("WS_REPLAY_LIMIT", 1000),
    },
    notifications: {
      worker: env.NOTIFY_WORKER !== "0",
      smtpUrl: env.SMTP_URL || undefined,
      mailFrom: env.MAIL_FROM || "Parley <parley@localhost>",
      publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, "") : undefined,
      vapidSubject: env.VAPID_SUBJECT || "mailto:parley@localhost",
      tickMs: num("NOTIFY_TICK_MS", 1000),
      scanGraceMs: num("NOTIFY_SCAN_GRACE_MS", 2000),
      minuteMs: num("NOTIFY_MINUTE_MS", 60_000),
      retryBaseMs: num("NOTIFY_RETRY_BASE_MS", 30_000),
      retryMaxMs: num("NOTIFY_RETRY_MAX_MS", 3_600_000),
      maxAttempts: num("NOTIFY_MAX_ATTEMPTS", 10),
      pushAllowLoopbackHttp: env.PUSH_ALLOW_LOOPBACK_HTTP === "1",
    },
    calls: loadCallConfig(num, list, env),
    files: storageConfig(env),
    limits: {
      bodyBytes: num("BODY_LIMIT_BYTES", 256 * 1024),
      framesPerMinute: num("RATE_FRAMES_PER_MINUTE", 3000),
      oversizeFramesPerMinute: num("RATE_OVERSIZE_FRAMES_PER_MINUTE", 3),
      messageChars: num("MESSAGE_MAX_CHARS", 16_000),
      sendsPerMinute: num("RATE_SENDS_PER_MINUTE", 600),
      sendBatchesInFlight: Math.max(1, num("SEND_BATCHES_IN_FLIGHT", 4)),
      sendBatchHoldMs: Math.max(0, num("SEND_BATCH_HOLD_MS", 5)),
      sendBatchPaceMs: Math.max(0, num("SEND_BATCH_PACE_MS", 2)),
      sendBatchPaceMaxMs: Math.max(0, num("SEND_BATCH_PACE_MAX_MS", 8)),
      sendBatchPaceFloorMs: Math.max(0, num("SEND_BATCH_PACE_FLOOR_MS", 2)),
      sendBatchesPerChannel: Math.max(1, num("SEND_BATCHES_PER_CHANNEL", 2)),
      typingPerMinute: num("RATE_TYPING_PER_MINUTE", 120),
      connectsPerMinute: num("RATE_CONNECTS_PER_MINUTE", 60),
    },
  };
}

/** Checks FRAME_ANCESTORS: CSP source expressions only, nothing that could end the directive. */
export function parseFrameAncestors(value: string | undefined): string {
  const v = (value ?? "").trim();
  if (!v) return "'none'";
  for (const token of v.split(/\s+/)) {
    if (!/^('none'|'self'|https?:\/\/[a-zA-Z0-9.*-]+(:\d{1,5})?|https?:)$/.test(token)) {
      throw new Error(`FRAME_ANCESTORS: "${token}" is not 'none', 'self' or an http(s) origin`);
    }
  }
  return v;
}

/** Where file bytes are stored: FILES_STORAGE (database, local, s3), FILES_DIR, S3_ENDPOINT and S3 keys. */
export interface StorageConfig {
  backend: "database" | "local" | "s3";
  dir: string;
  /** Files that no message carried after this long are removed (FILES_ORPHAN_SECONDS, default an hour). */
  orphanSeconds: number;
  s3: { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string };
}

export function storageConfig(env: Record<string, string | undefined>): StorageConfig {
  const backend = (env.FILES_STORAGE || "database") as StorageConfig["backend"];
  if (!["database", "local", "s3"].includes(backend)) {
    throw new Error(`FILES_STORAGE: unknown backend "${backend}" (database, local or s3)`);
  }
  return {
    backend,
    dir: env.FILES_DIR || "./data/files",
    orphanSeconds: Number(env.FILES_ORPHAN_SECONDS) > 0 ? Number(env.FILES_ORPHAN_SECONDS) : 3600,
    s3: {
      endpoint: env.S3_ENDPOINT || "",
      accessKeyId: env.S3_ACCESS_KEY_ID || "",
      secretAccessKey: env.S3_SECRET_ACCESS_KEY || "",
      region: env.S3_REGION || "us-east-1",
    },
  };
}
