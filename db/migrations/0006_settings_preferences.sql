-- Per-person preferences (domain/preferences/catalog.ts), one row per key like workspace_settings, so a
-- change of one preference from one tab never overwrites another changed from another tab.
CREATE TABLE user_preferences (
  user_id    bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key        text NOT NULL,
  value      jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, key)
);

-- Settings the widget read under other names than the admin API wrote: keep what was stored, under the
-- registry's names (domain/settings/areas/*.ts).
UPDATE workspace_settings SET key = 'widget.primary_color'
  WHERE key = 'widget.primary' AND NOT EXISTS (SELECT 1 FROM workspace_settings w2
    WHERE w2.workspace_id = workspace_settings.workspace_id AND w2.key = 'widget.primary_color');
UPDATE workspace_settings SET key = 'widget.accent_color'
  WHERE key = 'widget.accent' AND NOT EXISTS (SELECT 1 FROM workspace_settings w2
    WHERE w2.workspace_id = workspace_settings.workspace_id AND w2.key = 'widget.accent_color');
UPDATE workspace_settings SET key = 'sounds.enabled'
  WHERE key = 'notifications.sounds_enabled' AND NOT EXISTS (SELECT 1 FROM workspace_settings w2
    WHERE w2.workspace_id = workspace_settings.workspace_id AND w2.key = 'sounds.enabled');
UPDATE workspace_settings SET value = '"rounded_square"' WHERE key = 'widget.shape' AND value = '"rounded"';
UPDATE workspace_settings SET value = '"slide_in"' WHERE key = 'widget.animation' AND value = '"slide"';
