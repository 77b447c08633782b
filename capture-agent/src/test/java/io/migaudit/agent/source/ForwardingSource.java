package io.migaudit.agent.source;

import java.io.IOException;

/**
 * A test's source around another: name, stats and close go to the inner source; the subclass
 * decides what {@link #next(CapturedPacket)} hands out.
 */
public abstract class ForwardingSource implements PacketSource {
  protected final PacketSource inner;

  protected ForwardingSource(PacketSource inner) {
    this.inner = inner;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public SourceStats stats() {
    return inner.stats();
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }
}
