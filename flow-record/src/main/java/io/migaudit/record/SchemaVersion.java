package io.migaudit.record;

/**
 * Version of the JSON wire format of {@link FlowRecord} and {@link Alert}. Bump on incompatible
 * change.
 */
public final class SchemaVersion {
  /** The version this build writes and the only one it reads. */
  public static final int CURRENT = 1;

  private SchemaVersion() {}
}
