-- Notification choices move into the two registries (docs/notifications.md): a person's into
-- user_preferences, one row per key (domain/preferences/areas/notifications.ts), the workspace defaults into
-- workspace_settings keys (domain/settings/areas/notifications.ts). A key a person already set through the
-- Settings dialog (sounds, desktop) keeps that value.
INSERT INTO user_preferences (user_id, key, value)
SELECT user_id, k, v FROM (
  SELECT user_id, 'emailEnabled' AS k, prefs #> '{email,enabled}' AS v FROM notification_prefs
  UNION ALL SELECT user_id, 'emailDelayMinutes', prefs #> '{email,delayMinutes}' FROM notification_prefs
  UNION ALL SELECT user_id, 'push', prefs #> '{push,enabled}' FROM notification_prefs
  UNION ALL SELECT user_id, 'desktop', prefs #> '{desktop,enabled}' FROM notification_prefs
  UNION ALL SELECT user_id, 'sounds', prefs #> '{sounds,enabled}' FROM notification_prefs
  UNION ALL SELECT user_id, 'soundVolume', prefs #> '{sounds,volume}' FROM notification_prefs
  UNION ALL SELECT user_id, 'soundKinds', jsonb_build_object(
      'message', COALESCE(prefs #> '{sounds,message}', 'true'::jsonb),
      'mention', COALESCE(prefs #> '{sounds,mention}', 'true'::jsonb),
      'visitor', COALESCE(prefs #> '{sounds,visitor}', 'true'::jsonb))
    FROM notification_prefs
    WHERE prefs -> 'sounds' ?| ARRAY['message', 'mention', 'visitor']
  UNION ALL SELECT user_id, 'keywords', prefs -> 'keywords' FROM notification_prefs
  UNION ALL SELECT user_id, 'quietHours', prefs #> '{dnd,schedule}' FROM notification_prefs
  UNION ALL SELECT user_id, 'pausedUntil', prefs #> '{dnd,pausedUntil}' FROM notification_prefs
  UNION ALL SELECT user_id, 'dndAllow', prefs #> '{dnd,allow}' FROM notification_prefs
  UNION ALL SELECT user_id, 'timeZone', prefs -> 'timeZone' FROM notification_prefs
  UNION ALL SELECT user_id, 'language', prefs -> 'language' FROM notification_prefs
) moved
WHERE v IS NOT NULL AND jsonb_typeof(v) <> 'null'
ON CONFLICT (user_id, key) DO NOTHING;

DROP TABLE notification_prefs;

INSERT INTO workspace_settings (workspace_id, key, value)
SELECT workspace_id, k, v FROM (
  SELECT workspace_id, 'notifications.default_email' AS k, value #> '{email,enabled}' AS v
    FROM workspace_settings WHERE key = 'notifications.defaults'
  UNION ALL SELECT workspace_id, 'notifications.default_email_delay_minutes', value #> '{email,delayMinutes}'
    FROM workspace_settings WHERE key = 'notifications.defaults'
  UNION ALL SELECT workspace_id, 'notifications.default_push', value #> '{push,enabled}'
    FROM workspace_settings WHERE key = 'notifications.defaults'
  UNION ALL SELECT workspace_id, 'notifications.default_time_zone', value -> 'timeZone'
    FROM workspace_settings WHERE key = 'notifications.defaults'
  UNION ALL SELECT workspace_id, 'notifications.default_language', value -> 'language'
    FROM workspace_settings WHERE key = 'notifications.defaults'
) moved
WHERE v IS NOT NULL AND jsonb_typeof(v) <> 'null'
ON CONFLICT (workspace_id, key) DO NOTHING;

DELETE FROM workspace_settings WHERE key = 'notifications.defaults';
