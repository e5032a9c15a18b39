/** A problem at run time the user can act on (a bad model file, an unreadable image): exit 1, one line. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}
