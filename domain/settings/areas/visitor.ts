/** Workspace settings of visitor live chat (seed 001: "Public Portal Widget Settings", rating, recovery). */
import { z } from "zod";
import { defineSettings, setting } from "../registry.ts";

const hhmm = z.string().regex(/^\d\d:\d\d$/, "a time as HH:MM");
export const PrechatField = z.object({
  key: z.enum(["name", "email", "phone", "topic", "message"]),
  label: z.string().min(1).max(60),
  required: z.boolean(),
}).strict();

const admin = "chat.admin_dashboard" as const;
const look = "chat.customize_widget" as const;
const G = "Visitor chat";

export const visitorSettings = defineSettings("visitor", {
  "visitor.enabled": setting({
    schema: z.boolean(),
    default: true,
    group: G,
    label: "Visitor chat on",
    description: "Whether website visitors can start chats (off: they see the offline form).",
    permission: admin,
    public: false,
  }),
  "visitor.prechat_fields": setting({
    schema: z.array(PrechatField).max(5),
    default: [
      { key: "name", label: "Name", required: true },
      { key: "email", label: "Email", required: false },
      { key: "topic", label: "Topic", required: false },
      { key: "message", label: "How can we help?", required: false },
    ] as z.infer<typeof PrechatField>[],
    group: G,
    label: "Pre-chat form",
    description: "The fields asked before a chat (name, email, phone, topic, message), each required or not.",
    permission: admin,
    public: false,
  }),
  "visitor.topics": setting({
    schema: z.array(z.string().min(1).max(60)).max(30),
    default: ["General question", "Billing", "Technical problem"],
    group: G,
    label: "Topics",
    description: "The topics a visitor picks from; each becomes the ticket category.",
    permission: admin,
    public: false,
  }),
  "visitor.consent_text": setting({
    schema: z.string().max(500),
    default: "We store this conversation to answer you. See our privacy notice.",
    group: G,
    label: "Consent line",
    description: "The privacy line shown under the pre-chat and offline forms.",
    permission: admin,
    public: false,
  }),
  "visitor.greeting": setting({
    schema: z.string().max(300),
    default: "Hi! How can we help you today?",
    group: G,
    label: "Greeting",
    description: "Shown above the form and as the first line of every chat.",
    permission: look,
    public: false,
  }),
  "visitor.offline_text": setting({
    schema: z.string().max(300),
    default: "Nobody is available right now. Leave a message and we will get back to you.",
    group: G,
    label: "Offline text",
    description: "Shown with the offline form when nobody can answer.",
    permission: look,
    public: false,
  }),
  "visitor.business_hours": setting({
    schema: z.array(z.object({ day: z.number().int().min(0).max(6), open: hhmm, close: hhmm }).strict()).max(
      14,
    ),
    default: [] as { day: number; open: string; close: string }[],
    group: G,
    label: "Business hours",
    description: "Opening times per weekday (0 = Sunday) in the time zone below; none: always open.",
    permission: admin,
    public: false,
  }),
  "visitor.timezone": setting({
    schema: z.string().max(60),
    default: "UTC",
    group: G,
    label: "Time zone",
    description: "The IANA time zone of the business hours (e.g. Europe/Berlin).",
    permission: admin,
    public: false,
  }),
  "visitor.recovery_minutes": setting({
    schema: z.number().min(0).max(1440),
    default: 5,
    group: G,
    label: "Recovery window",
    description: "Minutes a chat waits for its visitor to come back after every tab was closed.",
    permission: admin,
    public: false,
  }),
  "visitor.attachments": setting({
    schema: z.boolean(),
    default: true,
    group: G,
    label: "Visitors may attach files",
    description: "Whether visitors can send files and images (checked like staff files: size and type).",
    permission: admin,
    public: false,
  }),
  "visitor.rating_type": setting({
    schema: z.enum(["stars", "number", "thumbs", "off"]),
    default: "stars",
    group: G,
    label: "Rating",
    description: "How visitors rate a chat when it ends: 1-5 stars, a number 1-10, thumbs, or not at all.",
    permission: admin,
    public: false,
  }),
  "visitor.auto_assign": setting({
    schema: z.boolean(),
    default: false,
    group: G,
    label: "Automatic assignment",
    description: "Assign waiting visitors to available agents by round robin (off: agents claim them).",
    permission: admin,
    public: false,
  }),
  "visitor.default_capacity": setting({
    schema: z.number().int().min(1).max(50),
    default: 3,
    group: G,
    label: "Chats per agent",
    description: "How many visitor chats an agent holds at once unless they set their own capacity.",
    permission: admin,
    public: false,
  }),
  "visitor.offline_grace_seconds": setting({
    schema: z.number().min(0).max(3600),
    default: 20,
    group: G,
    label: "Offline grace period",
    description: "Seconds an agent may be disconnected (a reload) before their chats move to someone else.",
    permission: admin,
    public: false,
  }),
  "visitor.min_form_seconds": setting({
    schema: z.number().min(0).max(60),
    default: 2,
    group: G,
    label: "Minimum form time",
    description: "Forms sent faster than this many seconds after they appeared are refused (simple bots).",
    permission: admin,
    public: false,
  }),
  "visitor.look": setting({
    schema: z.object({
      shape: z.enum(["circle", "rounded", "square"]),
      color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
      position: z.enum(["bottom-right", "bottom-left"]),
      animation: z.enum(["none", "bounce", "pulse", "slide"]),
      logoUrl: z.string().url().max(500).or(z.literal("")),
      title: z.string().min(1).max(60),
    }).strict(),
    default: {
      shape: "circle",
      color: "#1d4ed8",
      position: "bottom-right",
      animation: "slide",
      logoUrl: "",
      title: "Chat with us",
    } as {
      shape: "circle" | "rounded" | "square";
      color: string;
      position: "bottom-right" | "bottom-left";
      animation: "none" | "bounce" | "pulse" | "slide";
      logoUrl: string;
      title: string;
    },
    group: G,
    label: "Visitor widget look",
    description: "Shape, colour, corner, animation, logo and title of the visitor widget.",
    permission: look,
    public: false,
  }),
  "visitor.page_rules": setting({
    schema: z.array(z.string().max(200)).max(50),
    default: [] as string[],
    group: G,
    label: "Page rules",
    description:
      "Path prefixes of the host site where the widget shows (none: everywhere); `!/path` hides it.",
    permission: look,
    public: false,
  }),
  "visitor.host_origins": setting({
    schema: z.array(z.string().url().max(200)).max(50),
    default: [] as string[],
    group: G,
    label: "Host sites",
    description: "Origins that may embed the visitor widget (none: any site).",
    permission: admin,
    public: false,
  }),
  "visitor.webhook_url": setting({
    schema: z.string().url().max(500).or(z.literal("")),
    default: "",
    group: G,
    label: "Ticket webhook URL",
    description: "Tickets are also POSTed here, signed with HMAC-SHA256 (empty: built-in tickets only).",
    permission: admin,
    public: false,
  }),
  "visitor.webhook_secret": setting({
    schema: z.string().max(200),
    default: "",
    group: G,
    label: "Ticket webhook secret",
    description: "The shared secret of the webhook signature.",
    permission: admin,
    public: false,
  }),
  "visitor.canned_replies": setting({
    schema: z.array(
      z.object({ title: z.string().min(1).max(60), body: z.string().min(1).max(2000) }).strict(),
    )
      .max(100),
    default: [
      { title: "Greeting", body: "Hello! Thanks for reaching out. How can I help?" },
      { title: "One moment", body: "Let me check that for you, one moment please." },
      { title: "Goodbye", body: "Thanks for chatting with us. Have a great day!" },
    ],
    group: G,
    label: "Canned replies",
    description: "Ready answers agents insert in visitor chats.",
    permission: admin,
    public: false,
  }),
});
