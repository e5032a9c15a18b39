import { describe, expect, it } from "vitest";
import { catchStopSignals, STOP_SIGNALS, type StopSignalName } from "./stop-signals.js";

describe("catchStopSignals", () => {
  it("the first SIGINT or SIGTERM aborts the signal; a second one goes to onSecond; dispose lets go", () => {
    for (const name of ["SIGINT", "SIGTERM"] as const) {
      const before = process.listenerCount(name);
      const seconds: StopSignalName[] = [];
      const stops = catchStopSignals((n) => seconds.push(n));
      expect(stops.signal.aborted).toBe(false);
      process.emit(name);
      expect(stops.signal.aborted).toBe(true);
      expect(stops.signal.reason).toBe(name);
      expect(stops.received()).toBe(name);
      expect(seconds).toEqual([]);
      process.emit(name === "SIGINT" ? "SIGTERM" : "SIGINT");
      expect(seconds).toHaveLength(1);
      expect(stops.received()).toBe(name);
      stops.dispose();
      expect(process.listenerCount(name)).toBe(before);
    }
    expect(STOP_SIGNALS).toEqual({ SIGINT: 130, SIGTERM: 143 });
  });
});
