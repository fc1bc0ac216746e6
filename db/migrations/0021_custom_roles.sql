-- Admin console (issue 13): custom roles made from the permissions, and the "being monitored" notice
-- (a workspace setting, stored in workspace_settings: no schema).
--
-- A custom role sits at the rank of a built-in role below admin (`rank`); its holders have that built-in
-- role in users.role (for rank) and the custom role's permissions instead of the built-in defaults.
-- A role still held cannot be deleted (RESTRICT): reassign its holders first.

CREATE TABLE custom_roles (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  workspace_id bigint NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name         text NOT NULL,
  rank         text NOT NULL CHECK (rank IN ('moderator', 'member', 'guest')),
  permissions  text[] NOT NULL DEFAULT '{}',
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX custom_roles_ws_name ON custom_roles (workspace_id, lower(name));

ALTER TABLE users ADD COLUMN custom_role_id bigint REFERENCES custom_roles(id) ON DELETE RESTRICT;
CREATE INDEX users_custom_role ON users (custom_role_id) WHERE custom_role_id IS NOT NULL;
