-- Whether a message's body holds @here / @channel / @everyone, set when it is stored and when it is edited
-- (issue 16, fourteenth pass). The notification scan reads in full only the messages that can notify someone
-- beyond the people whose level or keywords take every message of a conversation: a mention of a person (the
-- `mentions` column), a broad mention (this column), a direct or group conversation. Everything else it counts
-- per channel without reading it (bench/notes/notification_scanner.md, "The notification scan reads what can
-- notify"). NULL: stored before this migration (not known), which the scan treats as true and reads. No
-- default and no constraint: adding the column changes no existing row, so it is instant on a large table.
ALTER TABLE messages ADD COLUMN broad_mention boolean;
