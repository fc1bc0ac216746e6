/** The demo workspace: admin, alice, bob, carol, dave; #general, #helpdesk, private #dev-team, read-only #announcements, a DM and a group. */
import type { Db } from "./client.ts";
import * as workspacesRepo from "./repos/workspaces.ts";
import * as usersRepo from "./repos/users.ts";
import * as channelsRepo from "./repos/channels.ts";
import * as messagesRepo from "./repos/messages.ts";
import { hashPassword } from "../domain/passwords.ts";
import type { WorkspaceRole } from "../domain/permissions.ts";
import type { ChannelKind } from "../realtime/protocol.ts";

const PEOPLE: [string, string, WorkspaceRole][] = [
  ["admin", "Ada Admin", "admin"],
  ["alice", "Alice Johnson", "member"],
  ["bob", "Bob Wilson", "member"],
  ["carol", "Carol Smith", "member"],
  ["dave", "Dave Brown", "member"],
];

/** Creates the demo workspace unless it exists. Returns false when there was nothing to do. */
export async function seedDemo(db: Db, opts: { slug: string; password: string }): Promise<boolean> {
  if (await workspacesRepo.bySlug(db, opts.slug)) return false;
  const hashes = await Promise.all(PEOPLE.map(() => hashPassword(opts.password)));
  await db.tx(async (sql) => {
    const ws = await workspacesRepo.insert(sql, opts.slug, "Demo workspace");
    const u: Record<string, number> = {};
    for (const [i, [username, displayName, role]] of PEOPLE.entries()) {
      const row = await usersRepo.insert(sql, {
        workspaceId: ws.id,
        username,
        displayName,
        email: `${username}@example.com`,
        role,
        passwordHash: hashes[i],
      });
      u[username] = row.id;
    }
    let n = 0;
    const channel = async (
      kind: ChannelKind,
      name: string,
      who: string[],
      extra: { description?: string; readOnly?: boolean; dmKey?: string } = {},
    ) => {
      const c = await channelsRepo.insert(sql, {
        workspaceId: ws.id,
        kind,
        name,
        createdBy: u.admin,
        ...extra,
      });
      for (const w of who) {
        await channelsRepo.addMember(sql, {
          channelId: c.id,
          userId: u[w],
          workspaceId: ws.id,
          // DMs and groups have no owners: nobody in a conversation has power over the others.
          role: w === who[0] && (kind === "public_channel" || kind === "private_channel")
            ? "owner"
            : "member",
        });
      }
      return c.id;
    };
    const post = async (channelId: number, who: string, body: string) => {
      const seq = await channelsRepo.nextSeq(sql, channelId, true);
      const message = await messagesRepo.insert(sql, {
        workspaceId: ws.id,
        channelId,
        senderId: u[who],
        clientId: `seed-${++n}`,
        seq,
        type: "text",
        body,
        replyTo: null,
        mentions: [],
      });
      await messagesRepo.appendEvent(sql, ws.id, {
        type: "message_received",
        channelId,
        seq,
        message: message!,
      });
      await channelsRepo.markRead(sql, channelId, u[who], seq);
    };
    const everyone = PEOPLE.map((p) => p[0]);
    const general = await channel("public_channel", "general", everyone, {
      description: "Company-wide chat",
    });
    const helpdesk = await channel("public_channel", "helpdesk", everyone, {
      description: "Ask for help here",
    });
    const dev = await channel("private_channel", "dev-team", ["admin", "alice", "bob"], {
      description: "Developers only",
    });
    const ann = await channel("public_channel", "announcements", everyone, {
      description: "News from the admins",
      readOnly: true,
    });
    const dm = await channel("direct_message", "", ["alice", "bob"], { dmKey: `dm:${u.alice}:${u.bob}` });
    const group = await channel("group", "", ["alice", "bob", "carol"]);
    await post(general, "admin", "Welcome to **Parley**! This is the demo workspace.");
    await post(general, "alice", "Hi everyone :wave:");
    await post(general, "bob", "Hello @alice, good to see you here.");
    await post(helpdesk, "carol", "My printer says `PC LOAD LETTER`. What does that mean?");
    await post(dev, "alice", "Deploy is scheduled for Friday.");
    await post(ann, "admin", "Parley is live. Read-only channel: only moderators post here.");
    await post(dm, "alice", "Hey Bob, do you have a minute?");
    await post(dm, "bob", "Sure, what's up?");
    await post(group, "carol", "Lunch at noon?");
  });
  return true;
}
