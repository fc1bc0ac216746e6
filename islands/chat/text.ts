/** Plain text for previews (widget, notifications): markdown markers removed, no HTML. */
export function plainText(body: string): string {
  return body.replace(/```[\s\S]*?```/g, "[code]").replace(/[*_~`>#]/g, "").replace(/\s+/g, " ").trim();
}
