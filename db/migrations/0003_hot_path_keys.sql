-- Every message insert checked messages.workspace_id against workspaces with a FOR KEY SHARE lock on the
-- workspace's row: all concurrent sends of a workspace locked the same row, which Postgres records as a
-- shared multixact per commit. The key is redundant: a message's workspace is its channel's, the channel
-- key (ON DELETE CASCADE) already removes messages with their workspace, and the domain writes both.
ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_workspace_id_fkey;
