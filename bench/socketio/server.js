// The seeds' design as a baseline for `deno task bench`: the Orvale plans' standalone `socket-server.js`
// (Socket.io 4 on Node, JWT auth in the handshake, a room per channel joined with `join_channel`), with
// `send_message` persisted to Postgres (one INSERT, autocommit, durable) before it is broadcast to the
// room as `message_received` and acknowledged. Used only by the benchmark; never part of Parley.
//
// Env: PORT (0 = any), DATABASE_URL, JWT_SECRET. Prints {"url": "..."} once listening.
"use strict";
const http = require("node:http");
const { Server } = require("socket.io");
const jwt = require("jsonwebtoken");
const { Pool } = require("pg");

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const secret = process.env.JWT_SECRET || "bench-secret";

async function main() {
  await pool.query(`CREATE TABLE IF NOT EXISTS chat_messages (
    id bigserial PRIMARY KEY,
    channel_id bigint NOT NULL,
    user_id bigint NOT NULL,
    client_id text NOT NULL,
    message_text text NOT NULL,
    message_type text NOT NULL DEFAULT 'text',
    created_at timestamptz NOT NULL DEFAULT now()
  )`);
  await pool.query("CREATE INDEX IF NOT EXISTS chat_messages_channel ON chat_messages (channel_id, id DESC)");

  const server = http.createServer();
  const io = new Server(server, { cors: { origin: "*" }, transports: ["websocket"] });

  io.use((socket, next) => {
    try {
      const decoded = jwt.verify(socket.handshake.auth.token, secret);
      socket.userId = decoded.uid;
      next();
    } catch (_error) {
      next(new Error("Authentication failed"));
    }
  });

  io.on("connection", (socket) => {
    socket.on("join_channel", (channelId, ack) => {
      socket.join(`channel_${channelId}`);
      // The load generator asks for an ack so it knows when every room is joined.
      if (typeof ack === "function") ack(true);
    });
    socket.on("send_message", async (data, ack) => {
      try {
        const { rows } = await pool.query(
          `INSERT INTO chat_messages (channel_id, user_id, client_id, message_text, message_type)
           VALUES ($1, $2, $3, $4, $5) RETURNING *`,
          [data.channelId, socket.userId, data.clientId, data.message, data.type || "text"],
        );
        const message = rows[0];
        io.to(`channel_${data.channelId}`).emit("message_received", { message, channel: data.channelId });
        if (typeof ack === "function") ack({ message });
      } catch (err) {
        if (typeof ack === "function") ack({ error: String(err && err.message) });
      }
    });
  });

  server.listen(Number(process.env.PORT || 0), "127.0.0.1", () => {
    console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` }));
  });
  const stop = () => {
    io.close();
    pool.end().finally(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  // SIGUSR2: collect garbage (with --expose-gc) and print memory, as the Deno servers do.
  process.on("SIGUSR2", () => {
    if (global.gc) global.gc();
    const m = process.memoryUsage();
    console.log(
      JSON.stringify({
        event: "stats",
        rss: m.rss,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
      }),
    );
  });
  process.on("SIGINT", stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
