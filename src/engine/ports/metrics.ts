/** What the engine counts; src/http/metrics.ts implements it with prom-client. */
export interface EngineMetrics {
  sessionOpened(transport: string, dialect: string): void;
  sessionClosed(transport: string, dialect: string): void;
  /** A message accepted into `room` of the app (per-room activity for the console's dashboard). */
  messageIn(appId: number, room: string): void;
  messagesOut(count: number): void;
  /** Milliseconds from commit to the last local recipient being handed the event. */
  fanoutLatency(ms: number): void;
  /** Milliseconds from a message entering the post pipeline to its answer (the sender's ack), commit included. */
  sendAckLatency(ms: number): void;
  slowConsumerDisconnected(): void;
  /** A message arrived from the bus (before it is checked: what this node's link to the others carried). */
  busReceived(): void;
  /** This node published a message on the bus (once, however many nodes hear it). */
  busPublished(): void;
}

export const noopMetrics: EngineMetrics = {
  sessionOpened: () => {},
  sessionClosed: () => {},
  messageIn: () => {},
  messagesOut: () => {},
  fanoutLatency: () => {},
  sendAckLatency: () => {},
  slowConsumerDisconnected: () => {},
  busReceived: () => {},
  busPublished: () => {},
};
