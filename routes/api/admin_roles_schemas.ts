/** Response bodies of the Roles endpoints and the channel owner picker (re-exported by response_schemas.ts, which names them). */
import { z } from "zod";

const Id = z.number().int().positive();
export const CustomRole = z.object({
  id: Id,
  name: z.string(),
  rank: z.enum(["moderator", "member", "guest"]).describe("The built-in role whose rank the holders have"),
  permissions: z.array(z.string()).describe("Replace the rank's built-in permissions for the holders"),
  holders: z.number().int().describe("How many people hold it"),
});
export const CustomRoleResponse = z.object({ role: CustomRole });
export const RolesOverview = z.object({
  permissions: z.array(z.string()),
  roles: z.array(z.object({ id: z.string(), permissions: z.array(z.string()), people: z.number().int() })),
  custom: z.array(CustomRole.extend({
    people: z.array(z.object({ id: Id, username: z.string(), displayName: z.string() })),
  })),
  mine: z.object({ rank: z.string(), permissions: z.array(z.string()) }),
});
export const AdminChannelMembers = z.object({
  members: z.array(z.object({ id: Id, username: z.string(), displayName: z.string(), role: z.string() })),
});
