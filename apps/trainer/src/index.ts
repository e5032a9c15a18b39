export type { Io } from "./io.js";
export { MAIN_HELP, main } from "./main.js";
export { UsageError } from "./usage-error.js";
