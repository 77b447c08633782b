package io.migaudit.agent.flow;

/** Why a flow's final record was written; also the eviction causes counted in metrics. */
public enum EndReason {
  FIN("fin"),
  RST("rst"),
  IDLE("idle"),
  EVICTED("evicted"),
  END_OF_CAPTURE("end-of-capture"),
  SHUTDOWN("shutdown");

  private final String wire;

  EndReason(String wire) {
    this.wire = wire;
  }

  /** Lowercase name used in records and metric tags. */
  public String wire() {
    return wire;
  }
}
