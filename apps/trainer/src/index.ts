export { MAIN_HELP, main } from "./main.js";
export type { Io } from "./io.js";
export { UsageError } from "./usage-error.js";
