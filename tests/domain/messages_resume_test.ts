/** Resume on reconnect: every channel listed, in one call; missed events in order, resync when out of range. */
import assert from "node:assert/strict";
import { dbTest } from "../helpers/db.ts";
import { fixture } from "../helpers/fixture.ts";
import * as channels from "../../domain/channels.ts";
import * as messages from "../../domain/messages.ts";

dbTest(
  "resume: the events missed in each channel, resync past the replay limit or ahead, others' ignored",
  async (db) => {
    const f = await fixture(db);
    const members = [f.users.alice.id, f.users.bob.id];
    const a = await channels.create(f.deps, f.actor("mod"), { name: "a", memberIds: members });
    const b = await channels.create(f.deps, f.actor("mod"), { name: "b", memberIds: members });
    const far = await channels.create(f.deps, f.actor("mod"), { name: "far", memberIds: members });
    const theirs = await channels.create(f.deps, f.actor("mod"), {
      name: "theirs",
      kind: "private_channel",
      memberIds: [f.users.carol.id],
    });
    const post = (ch: number, n: number) =>
      messages.send(f.deps, f.actor("alice"), { channelId: ch, clientId: `${ch}-${n}`, body: `m${n}` });
    for (let i = 1; i <= 3; i++) await post(a.id, i);
    await post(b.id, 1);
    for (let i = 1; i <= 6; i++) await post(far.id, i);
    const deps = { ...f.deps, config: { ...f.deps.config, ws: { ...f.deps.config.ws, replayLimit: 4 } } };

    const r = await messages.resume(deps, f.actor("bob"), [
      { channelId: a.id, after: 1 }, // missed 2 and 3
      { channelId: b.id, after: 1 }, // nothing missed
      { channelId: far.id, after: 0 }, // six behind, the limit is four
      { channelId: theirs.id, after: 0 }, // not bob's
    ]);
    assert.deepEqual(r.events.map((e) => [e.channelId, e.seq]), [[a.id, 2], [a.id, 3]]);
    assert.deepEqual(r.resync, [far.id]);
    assert.deepEqual([...r.resumed], [[a.id, 1], [b.id, 1]]);

    // A client ahead of the channel (a database restored from a backup) resyncs too.
    const ahead = await messages.resume(deps, f.actor("bob"), [{ channelId: b.id, after: 9 }]);
    assert.deepEqual(ahead.resync, [b.id]);
    assert.deepEqual(await messages.resume(deps, f.actor("bob"), []), {
      events: [],
      resync: [],
      resumed: new Map(),
    });
  },
);
