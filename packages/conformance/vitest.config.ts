import { relaxedSimdConfig } from "../../vitest.shared.js";

export default relaxedSimdConfig;
