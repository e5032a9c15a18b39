/** A mistake in how the CLI was called: reported in one line with exit code 2, never a stack trace. */
export class UsageError extends Error {
  /** The command that was called (`""` before one is known), so its help can be pointed to. */
  readonly command: string;
  constructor(message: string, command = "") {
    super(message);
    this.name = "UsageError";
    this.command = command;
  }
}
