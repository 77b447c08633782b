package io.migaudit.analyzer.suggest;

import java.time.Instant;

/** What the captures say about one address: how often it sent and received migrations, and when. */
public final class HostEvidence {
  final String address;
  int asSource;
  int asDestination;
  long bytes;
  Instant lastSeen;

  HostEvidence(String address) {
    this.address = address;
  }

  void add(MigrationSighting s, boolean source) {
    if (source) {
      asSource++;
    } else {
      asDestination++;
    }
    bytes += s.record().totalBytes();
    Instant t = s.record().lastSeen();
    if (t != null && (lastSeen == null || t.isAfter(lastSeen))) {
      lastSeen = t;
    }
  }

  int flows() {
    return asSource + asDestination;
  }

  /**
   * Why it is not suggested as trusted, or null when it is: it must have sent a migration, twice or
   * more.
   */
  public String notTrustedBecause() {
    if (asSource == 0) {
      return "seen only as a destination";
    }
    if (flows() < 2) {
      return "seen in one flow only";
    }
    return null;
  }

  public String address() {
    return address;
  }
}
