/**
 * The words of notification mails and pushes, per language. A person's `language` preference picks the
 * catalogue (then its base language, then English). Add a language by adding a catalogue here.
 */
import type { MailLanguage } from "../../shared/mail_languages.ts";
export interface NotifyText {
  subject(count: number): string;
  intro(name: string, count: number): string;
  dmFrom(name: string): string;
  inChannel(channel: string): string;
  more(count: number): string;
  open: string;
  hidden: string;
  why: string;
  unsubscribe: string;
  settings: string;
  pushMessage(name: string): string;
  pushMention(name: string, where: string): string;
  pushBodyHidden: string;
  visitorWaiting(name: string): string;
  unsubscribedTitle: string;
  unsubscribedBody: string;
  unsubscribeConfirm: string;
  inviteSubject: string;
  inviteBody(name: string, link: string, days: number): string;
  resetSubject: string;
  resetBody(name: string, link: string, days: number): string;
}

const en: NotifyText = {
  subject: (n) => n === 1 ? "1 unread message in Parley" : `${n} unread messages in Parley`,
  intro: (name, n) => `Hi ${name}, you have ${n === 1 ? "an unread message" : `${n} unread messages`}:`,
  dmFrom: (name) => `Direct message from ${name}`,
  inChannel: (c) => `#${c}`,
  more: (n) => `and ${n} more`,
  open: "Open the conversation",
  hidden: "(open Parley to read it)",
  why: "You get this mail because these messages waited unread for the delay you chose.",
  unsubscribe: "Stop these emails",
  settings: "Notification settings",
  pushMessage: (name) => `New message from ${name}`,
  pushMention: (name, where) => `${name} mentioned you${where ? ` in ${where}` : ""}`,
  pushBodyHidden: "Open Parley to read it",
  visitorWaiting: (name) => `${name} is waiting for help`,
  unsubscribedTitle: "You will get no more unread-message emails",
  unsubscribedBody: "You can turn them on again in Parley under Settings → Notifications.",
  unsubscribeConfirm: "Stop unread-message emails",
  inviteSubject: "You are invited to Parley",
  inviteBody: (name, link, days) =>
    `Hi ${name},\n\nyou have been invited to Parley. Choose your password here (valid for ${days} days, once):\n${link}\n`,
  resetSubject: "Choose a new Parley password",
  resetBody: (name, link, days) =>
    `Hi ${name},\n\nan administrator reset your Parley password. Choose a new one here (valid for ${days} days, once):\n${link}\n`,
};

const de: NotifyText = {
  subject: (n) => n === 1 ? "1 ungelesene Nachricht in Parley" : `${n} ungelesene Nachrichten in Parley`,
  intro: (name, n) =>
    `Hallo ${name}, du hast ${n === 1 ? "eine ungelesene Nachricht" : `${n} ungelesene Nachrichten`}:`,
  dmFrom: (name) => `Direktnachricht von ${name}`,
  inChannel: (c) => `#${c}`,
  more: (n) => `und ${n} weitere`,
  open: "Unterhaltung öffnen",
  hidden: "(in Parley lesen)",
  why: "Du bekommst diese Mail, weil diese Nachrichten so lange ungelesen blieben, wie du eingestellt hast.",
  unsubscribe: "Diese E-Mails abbestellen",
  settings: "Benachrichtigungseinstellungen",
  pushMessage: (name) => `Neue Nachricht von ${name}`,
  pushMention: (name, where) => `${name} hat dich erwähnt${where ? ` in ${where}` : ""}`,
  pushBodyHidden: "In Parley lesen",
  visitorWaiting: (name) => `${name} wartet auf Hilfe`,
  unsubscribedTitle: "Du bekommst keine E-Mails zu ungelesenen Nachrichten mehr",
  unsubscribedBody: "Du kannst sie in Parley unter Einstellungen → Benachrichtigungen wieder einschalten.",
  unsubscribeConfirm: "E-Mails abbestellen",
  inviteSubject: "Sie sind zu Parley eingeladen",
  inviteBody: (name, link, days) =>
    `Hallo ${name},\n\nSie wurden zu Parley eingeladen. Wählen Sie hier Ihr Passwort (${days} Tage gültig, einmalig):\n${link}\n`,
  resetSubject: "Neues Parley-Passwort wählen",
  resetBody: (name, link, days) =>
    `Hallo ${name},\n\nein Administrator hat Ihr Parley-Passwort zurückgesetzt. Wählen Sie hier ein neues (${days} Tage gültig, einmalig):\n${link}\n`,
};

const CATALOGUES: Record<MailLanguage, NotifyText> & Record<string, NotifyText | undefined> = { en, de };

export function notifyText(language: string): NotifyText {
  return CATALOGUES[language] ?? CATALOGUES[language.split("-")[0]] ?? en;
}
