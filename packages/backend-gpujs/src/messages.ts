/**
 * The first line of an error's message. Reasons end up inside one-line CLI messages, and Node's
 * module errors, for one, append a multi-line require stack.
 */
export function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim().split(/\r?\n/)[0]?.trim() || "unknown error";
}
