/**
 * The languages notification and account mails are written in (domain/notifications/mail_i18n.ts has a
 * catalogue for each; the type makes a missing one a compile error), offered in Settings.
 */
export const MAIL_LANGUAGES = ["en", "de"] as const;
export type MailLanguage = typeof MAIL_LANGUAGES[number];
