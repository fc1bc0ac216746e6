/** A small chat world for the HTTP tests, built through the domain like a real workspace would be. */
import * as channels from "../../domain/channels.ts";
import * as messages from "../../domain/messages.ts";
import type { Fixture } from "../helpers/fixture.ts";

export interface World {
  /** Public #general: mod (owner), alice, bob. */
  general: number;
  /** Private #secret: mod (owner), alice. */
  secret: number;
  /** The DM between alice and bob. */
  dm: number;
  /** A message by alice in #general, and one in #secret. */
  msg: number;
  secretMsg: number;
  users: Record<keyof Fixture["users"], number>;
}

export async function world(f: Fixture): Promise<World> {
  const general = await channels.create(f.deps, f.actor("mod"), {
    name: "general",
    memberIds: [f.users.alice.id, f.users.bob.id],
  });
  const secret = await channels.create(f.deps, f.actor("mod"), {
    name: "secret",
    kind: "private_channel",
    memberIds: [f.users.alice.id],
  });
  const dm = await channels.openDirect(f.deps, f.actor("alice"), { userId: f.users.bob.id });
  const msg = await messages.send(f.deps, f.actor("alice"), {
    channelId: general.id,
    clientId: "w1",
    body: "hello",
  });
  const secretMsg = await messages.send(f.deps, f.actor("alice"), {
    channelId: secret.id,
    clientId: "w2",
    body: "psst",
  });
  return {
    general: general.id,
    secret: secret.id,
    dm: dm.id,
    msg: msg.message.id,
    secretMsg: secretMsg.message.id,
    users: Object.fromEntries(Object.entries(f.users).map(([k, u]) => [k, u.id])) as World["users"],
  };
}
