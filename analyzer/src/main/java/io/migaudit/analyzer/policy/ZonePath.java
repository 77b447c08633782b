package io.migaudit.analyzer.policy;

/**
 * A direction in which migrations may cross between two trust zones: hosts of zone {@code from} may
 * send VMs to hosts of zone {@code to} (not the reverse, unless listed too).
 *
 * @param from name of the sending zone
 * @param to name of the receiving zone
 */
public record ZonePath(String from, String to) {}
