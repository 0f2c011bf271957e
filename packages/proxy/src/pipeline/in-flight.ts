/** How many things are in progress (requests, spans being built), and a wait for none. */
export interface InFlight {
  count: number;
  idle(): Promise<void>;
}

/** An {@link InFlight} that its owner moves with `enter` and `leave`. */
export type InFlightCounter = InFlight & { enter(): void; leave(): void };

/** Create an in-flight counter. */
export function createInFlight(): InFlightCounter {
  let waiters: Array<() => void> = [];
  const t = {
    count: 0,
    enter() {
      t.count++;
    },
    leave() {
      t.count--;
      if (t.count === 0) {
        const w = waiters;
        waiters = [];
        for (const r of w) r();
      }
    },
    idle: () => (t.count === 0 ? Promise.resolve() : new Promise<void>((r) => waiters.push(r))),
  };
  return t;
}
